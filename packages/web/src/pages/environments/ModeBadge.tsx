import { Badge, Tooltip } from '@mantine/core';

const EXPLAIN = {
  standard: 'Standard: the agent keeps a live connection; actions run at once.',
  async: 'Async: the agent polls; actions are queued until its next poll.',
} as const;

/** An environment's mode as a small badge, with what it means in a tooltip. */
export function ModeBadge({ mode }: { mode: 'standard' | 'async' }) {
  return (
    <Tooltip label={EXPLAIN[mode]} withArrow>
      <Badge variant="outline" color={mode === 'async' ? 'violet' : 'gray'} data-mode={mode}>
        {mode === 'async' ? 'Async' : 'Standard'}
      </Badge>
    </Tooltip>
  );
}
