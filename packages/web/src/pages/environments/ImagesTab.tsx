import { Badge, Group, Table, Text, Tooltip } from '@mantine/core';
import type { Environment, EnvironmentSnapshotView } from '@capstan/protocol';
import { useSession } from '../../auth/session.tsx';
import { formatAgo, formatBytes, formatTime } from '../../components/time.ts';
import { shortId } from '../containers/container-format.ts';
import { passthroughUnavailable } from './docker.ts';
import { PassthroughNote } from './PassthroughNote.tsx';
import { RemoveObjectButton } from './RemoveObjectButton.tsx';
import { useNow } from './useNow.ts';

/** The engine's images: tags, size, age, digests and how many containers use each. */
export function ImagesTab({ env, view }: { env: Environment; view: EnvironmentSnapshotView }) {
  const session = useSession();
  const now = useNow();
  const allowed = session.can('images.manage', env);
  const reason = passthroughUnavailable(env);
  const usage = new Map<string, number>();
  for (const c of view.snapshot.containers) usage.set(c.imageId, (usage.get(c.imageId) ?? 0) + 1);
  const images = [...view.snapshot.images].sort((a, b) => (a.repoTags[0] ?? '~').localeCompare(b.repoTags[0] ?? '~'));
  const total = images.reduce((sum, i) => sum + i.size, 0);
  return (
    <>
      {allowed && <PassthroughNote reason={reason} />}
      <Text size="xs" c="dimmed" mb="xs">
        {images.length} image{images.length === 1 ? '' : 's'}, {formatBytes(total)} in all
      </Text>
      <Table.ScrollContainer minWidth={900}>
        <Table highlightOnHover verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Tags</Table.Th>
              <Table.Th>ID</Table.Th>
              <Table.Th>Size</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th>In use</Table.Th>
              <Table.Th>Digest</Table.Th>
              {allowed && !reason && <Table.Th>Actions</Table.Th>}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {images.map((img) => {
              const used = usage.get(img.id) ?? 0;
              const label = img.repoTags[0] ?? shortId(img.id);
              return (
                <Table.Tr key={img.id}>
                  <Table.Td>
                    {img.repoTags.length === 0 ? (
                      <Text size="sm" c="dimmed">
                        &lt;none&gt;
                      </Text>
                    ) : (
                      <Group gap={4}>
                        {img.repoTags.map((t) => (
                          <Badge key={t} variant="light" color="gray" radius="sm" tt="none">
                            {t}
                          </Badge>
                        ))}
                      </Group>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" ff="monospace">
                      {shortId(img.id)}
                    </Text>
                  </Table.Td>
                  <Table.Td>{formatBytes(img.size)}</Table.Td>
                  <Table.Td>
                    <Text size="sm" title={formatTime(img.createdAt)}>
                      {formatAgo(img.createdAt, now)}
                    </Text>
                  </Table.Td>
                  <Table.Td>{used > 0 ? <Badge color="teal" variant="light">{`${used} container${used === 1 ? '' : 's'}`}</Badge> : <Text size="sm" c="dimmed">unused</Text>}</Table.Td>
                  <Table.Td maw={240}>
                    {img.repoDigests.map((d) => (
                      <Tooltip key={d} label={d} withArrow multiline maw={420}>
                        <Text size="xs" ff="monospace" truncate="end">
                          {d.split('@')[1]?.slice(0, 19) ?? d}
                        </Text>
                      </Tooltip>
                    ))}
                  </Table.Td>
                  {allowed && !reason && (
                    <Table.Td>
                      <RemoveObjectButton
                        environmentId={env.id}
                        kind="images"
                        idOrName={img.id}
                        label={label}
                        explanation={used > 0 ? `${used} container(s) use this image: Docker refuses unless they are removed first.` : 'The image and its unused layers are deleted from the host.'}
                        forceLabel="Force (remove every tag, even when stopped containers use it)"
                      />
                    </Table.Td>
                  )}
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </>
  );
}
