import { Badge, DataList, Paper, Title } from '@mantine/core';
import type { Environment } from '@capstan/protocol';
import { useApi } from '../../api/query.ts';
import { Loading } from '../../components/Loading.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { StatusBadge } from '../../components/StatusBadge.tsx';
import { formatAgo, formatTime } from '../../components/time.ts';
import { InfoItem } from './InfoItem.tsx';

const at = (iso: string | null, now: number): string => (iso ? `${formatTime(iso)} (${formatAgo(iso, now)})` : '—');

/** The agent's connection: status, tunnel, mTLS, versions and (async) polls. */
export function AgentStatusCard({ env, now }: { env: Environment; now: number }) {
  const status = useApi('GET /api/environments/:id/status', { params: { id: env.id } });
  const s = status.data;
  return (
    <Paper withBorder p="md">
      <Title order={4} mb="sm">
        Connection
      </Title>
      <ProblemAlert error={status.error} />
      {status.isPending && <Loading />}
      {s && (
        <DataList labelWidth={150}>
          <InfoItem label="Status">
            <StatusBadge status={s.status} lastSeenAt={s.lastSeenAt} />
          </InfoItem>
          {s.mode === 'standard' && (
            <InfoItem label="Tunnel">
              <Badge color={s.connected ? 'teal' : 'gray'} variant="light">
                {s.connected ? 'connected' : 'not connected'}
              </Badge>
            </InfoItem>
          )}
          <InfoItem label="Client certificate">
            <Badge color={s.mtls ? 'teal' : 'gray'} variant="light">
              {s.mtls ? 'mTLS' : 'not presented'}
            </Badge>
          </InfoItem>
          <InfoItem label="Agent version">{s.agentVersion ?? '—'}</InfoItem>
          <InfoItem label="Docker version">{s.engineVersion ?? '—'}</InfoItem>
          <InfoItem label="Protocol">{s.protocolVersion ?? '—'}</InfoItem>
          <InfoItem label="Last seen">{at(s.lastSeenAt, now)}</InfoItem>
          {s.mode === 'standard' && <InfoItem label="Connected since">{at(s.connectedAt, now)}</InfoItem>}
          {s.mode === 'async' && <InfoItem label="Last poll">{at(s.lastPollAt, now)}</InfoItem>}
          {s.mode === 'async' && <InfoItem label="Next poll due">{at(s.nextPollAt, now)}</InfoItem>}
        </DataList>
      )}
    </Paper>
  );
}
