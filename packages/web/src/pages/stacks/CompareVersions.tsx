import { Alert, Group, Modal, SegmentedControl, Select, Stack, Text } from '@mantine/core';
import type { StackVersionSummary } from '@capstan/protocol';
import { useState } from 'react';
import { useApi } from '../../api/query.ts';
import { Loading } from '../../components/Loading.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { LazyDiffView } from './LazyDiffView.tsx';

const ADOPTED = '# adopted: Capstan does not know the compose file of this version\n';

/** A modal comparing the compose files of two chosen versions (default: the two newest). */
export function CompareVersions({ stackId, versions, opened, onClose }: { stackId: number; versions: StackVersionSummary[]; opened: boolean; onClose: () => void }) {
  const [from, setFrom] = useState<string | null>(versions[1] ? String(versions[1].id) : null);
  const [to, setTo] = useState<string | null>(versions[0] ? String(versions[0].id) : null);
  const [mode, setMode] = useState<'split' | 'unified'>('split');
  const a = useApi('GET /api/stacks/:id/versions/:versionId', { params: { id: stackId, versionId: Number(from) } }, { enabled: opened && from !== null, staleTime: Infinity });
  const b = useApi('GET /api/stacks/:id/versions/:versionId', { params: { id: stackId, versionId: Number(to) } }, { enabled: opened && to !== null, staleTime: Infinity });
  const options = versions.map((v) => ({ value: String(v.id), label: `Version ${v.number} (${v.status})` }));
  return (
    <Modal opened={opened} onClose={onClose} title="Compare versions" size="90%">
      <Stack gap="sm">
        <Group align="flex-end" wrap="wrap">
          <Select label="From version" data={options} value={from} onChange={setFrom} w={240} allowDeselect={false} />
          <Select label="To version" data={options} value={to} onChange={setTo} w={240} allowDeselect={false} />
          <SegmentedControl
            aria-label="Diff layout"
            value={mode}
            onChange={(v) => setMode(v === 'unified' ? 'unified' : 'split')}
            data={[
              { value: 'split', label: 'Side by side' },
              { value: 'unified', label: 'Unified' },
            ]}
          />
        </Group>
        <ProblemAlert error={a.error ?? b.error} title="A version could not be loaded" />
        {from === to && from !== null && <Alert color="gray">Choose two different versions.</Alert>}
        {a.data && b.data ? (
          <>
            {a.data.compose === b.data.compose && (
              <Text size="sm" c="dimmed">
                The compose files are the same (variables, files or images may differ).
              </Text>
            )}
            <LazyDiffView original={a.data.compose ?? ADOPTED} modified={b.data.compose ?? ADOPTED} mode={mode} originalLabel={`Version ${a.data.number}`} modifiedLabel={`Version ${b.data.number}`} />
          </>
        ) : (
          (a.isFetching || b.isFetching) && <Loading label="Loading the versions" />
        )}
      </Stack>
    </Modal>
  );
}
