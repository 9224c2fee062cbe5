import { IconAction } from '../../components/IconAction.tsx';
import { Button, Group, Stack, Text, TextInput, Textarea } from '@mantine/core';
import type { StackFile } from '@capstan/protocol';
import { IconPlus, IconTrash } from '@tabler/icons-react';

/** Extra files of a stack or template (env files, configs, secrets the compose file names): path and content. */
export function FilesEditor({ files, onChange, readOnly = false }: { files: StackFile[]; onChange: (files: StackFile[]) => void; readOnly?: boolean }) {
  const update = (index: number, patch: Partial<StackFile>): void => onChange(files.map((f, i) => (i === index ? { ...f, ...patch } : f)));
  return (
    <Stack gap="sm">
      {files.length === 0 && (
        <Text size="sm" c="dimmed">
          No extra files. Add the files the compose file refers to (env_file, configs, secrets), by their path relative to it.
        </Text>
      )}
      {files.map((file, i) => (
        <Stack key={i} gap={4}>
          <Group gap="xs" align="flex-end">
            <TextInput label={`File ${i + 1} path`} placeholder="config/app.env" value={file.name} onChange={(e) => update(i, { name: e.currentTarget.value })} ff="monospace" style={{ flex: 1 }} readOnly={readOnly} />
            {!readOnly && (
              <IconAction tooltip="Remove this file" label={`Remove file ${file.name || i + 1}`} color="red" mb={4} icon={<IconTrash size={16} />} onClick={() => onChange(files.filter((_, j) => j !== i))} />
            )}
          </Group>
          <Textarea aria-label={`Content of ${file.name || `file ${i + 1}`}`} value={file.content} onChange={(e) => update(i, { content: e.currentTarget.value })} autosize minRows={3} maxRows={14} ff="monospace" readOnly={readOnly} />
        </Stack>
      ))}
      {!readOnly && (
        <Group>
          <Button variant="light" size="xs" leftSection={<IconPlus size={14} />} onClick={() => onChange([...files, { name: '', content: '' }])}>
            Add file
          </Button>
        </Group>
      )}
    </Stack>
  );
}
