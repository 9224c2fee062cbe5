import { Box, Highlight, Text } from '@mantine/core';
import { memo } from 'react';
import type { LogLine } from './log-buffer.ts';

/** One log line: optional local time, stderr tinted, the search term highlighted. */
const LogRow = memo(function LogRow({ line, query, showTime }: { line: LogLine; query: string; showTime: boolean }) {
  const color = line.stream === 'stderr' ? 'var(--mantine-color-red-5)' : undefined;
  return (
    <Box style={{ display: 'flex', gap: 12, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }} data-stream={line.stream}>
      {showTime && line.time && (
        <Text span size="xs" c="dimmed" ff="monospace" style={{ flex: 'none' }} title={line.time}>
          {new Date(line.time).toLocaleTimeString()}
        </Text>
      )}
      {query ? (
        <Highlight span size="xs" ff="monospace" highlight={query} style={{ color }}>
          {line.text}
        </Highlight>
      ) : (
        <Text span size="xs" ff="monospace" style={{ color }}>
          {line.text}
        </Text>
      )}
    </Box>
  );
});

/** The visible log lines. */
export function LogLines({ lines, query, showTime }: { lines: LogLine[]; query: string; showTime: boolean }) {
  return (
    <>
      {lines.map((l) => (
        <LogRow key={l.seq} line={l} query={query} showTime={showTime} />
      ))}
    </>
  );
}
