import { Alert, Text } from '@mantine/core';
import type { GitSyncResult as SyncResult } from '@capstan/protocol';

const REASON: Record<SyncResult['reason'], string> = {
  forced: 'a redeploy was asked for',
  first_deploy: 'it is the first deploy from Git',
  same_commit: 'the commit is the one deployed',
  history_unavailable: 'the history could not be compared, so it was redeployed',
  own_files_changed: "the stack's own files changed",
  only_other_paths: "only files the stack does not use changed",
};

/** What the last "Sync now" did. */
export function GitSyncResult({ result, onClose }: { result: SyncResult; onClose: () => void }) {
  return (
    <Alert color={result.fetched ? (result.redeployed ? 'teal' : 'blue') : 'yellow'} variant="light" withCloseButton onClose={onClose} closeButtonLabel="Dismiss" title={result.redeployed ? 'Synced and redeployed' : 'Synced: no redeploy'}>
      <Text size="sm">
        Commit {result.commit.slice(0, 10)}: {result.redeployed ? 'redeployed because ' : 'not redeployed because '}
        {REASON[result.reason]}.
      </Text>
      {result.changedPaths.length > 0 && <Text size="sm">Changed: {result.changedPaths.join(', ')}</Text>}
      {!result.fetched && <Text size="sm">The Git server could not be reached ({result.fetchError ?? 'no reason given'}): the last good checkout was used.</Text>}
    </Alert>
  );
}
