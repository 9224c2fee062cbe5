// A container's log, followed live: search (filters and highlights), follow (auto-scroll),
// timestamps, download of the buffered lines, and reconnect once the stream ended.
import { Alert, Button, Group, ScrollArea, Switch, Text, TextInput } from '@mantine/core';
import { IconDownload, IconPlugConnected, IconSearch } from '@tabler/icons-react';
import { useEffect, useMemo, useRef, useState } from 'react';
import { logFileName, logFileText } from './log-buffer.ts';
import { filterLogLines } from './log-filter.ts';
import { LogLines } from './LogLines.tsx';
import { MAX_LOG_LINES, useLogStream } from './useLogStream.ts';

/** Saves text as a file through a temporary object URL. */
function download(text: string, name: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}

/** The Logs tab of a container. */
export function LogsPanel({ environmentId, containerId, name }: { environmentId: number; containerId: string; name: string }) {
  const stream = useLogStream(environmentId, containerId);
  const [query, setQuery] = useState('');
  const [follow, setFollow] = useState(true);
  const [showTime, setShowTime] = useState(false);
  const viewport = useRef<HTMLDivElement>(null);
  const shown = useMemo(() => filterLogLines(stream.lines, query), [stream.lines, query]);
  useEffect(() => {
    const el = viewport.current;
    if (follow && el) el.scrollTop = el.scrollHeight;
  }, [shown, follow]);
  const status = stream.state === 'connecting' ? 'Connecting…' : stream.state === 'live' ? 'Following' : 'Stopped';
  return (
    <>
      <Group align="flex-end" gap="sm" wrap="wrap" mb="sm">
        <TextInput label="Search logs" placeholder="Text to find" leftSection={<IconSearch size={16} />} value={query} onChange={(e) => setQuery(e.currentTarget.value)} w={260} />
        <Switch label="Follow" checked={follow} onChange={(e) => setFollow(e.currentTarget.checked)} mb={8} />
        <Switch label="Timestamps" checked={showTime} onChange={(e) => setShowTime(e.currentTarget.checked)} mb={8} />
        <Button variant="default" leftSection={<IconDownload size={16} />} onClick={() => download(logFileText(stream.lines), logFileName(name, new Date()))} disabled={stream.lines.length === 0}>
          Download
        </Button>
        <Text size="xs" c="dimmed" mb={8} aria-live="polite">
          {status} · {query ? `${shown.length} of ${stream.lines.length} lines` : `${stream.lines.length} lines`}
          {stream.dropped > 0 ? ` (the last ${MAX_LOG_LINES} kept)` : ''}
        </Text>
      </Group>
      {stream.state === 'done' && stream.outcome && (
        <Alert variant="light" color={stream.outcome.kind === 'end' ? 'gray' : 'orange'} mb="sm" title={stream.outcome.kind === 'end' ? 'Log ended' : 'Log stream stopped'}>
          <Group justify="space-between" wrap="wrap" gap="xs">
            <Text size="sm">{stream.outcome.reason}</Text>
            <Button size="xs" variant="light" leftSection={<IconPlugConnected size={14} />} onClick={stream.reconnect}>
              Reconnect
            </Button>
          </Group>
        </Alert>
      )}
      <ScrollArea h="calc(100vh - 360px)" mih={300} viewportRef={viewport} data-testid="log-output" type="auto" bg="var(--mantine-color-body)" style={{ border: '1px solid var(--mantine-color-default-border)', borderRadius: 4 }} p="xs">
        {shown.length === 0 ? (
          <Text size="xs" c="dimmed" ff="monospace">
            {stream.lines.length === 0 ? (stream.state === 'done' ? 'No log output.' : 'Waiting for output…') : 'No line matches the search.'}
          </Text>
        ) : (
          <LogLines lines={shown} query={query.trim()} showTime={showTime} />
        )}
      </ScrollArea>
    </>
  );
}
