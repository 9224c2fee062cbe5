// An interactive shell in a container (exec with a TTY) in an xterm.js terminal. xterm and its fit
// addon load on the first Connect, so they stay out of every other page's download.
import { Alert, Box, Button, Group, Text, TextInput } from '@mantine/core';
import type { Environment } from '@capstan/protocol';
import { IconPlugConnected, IconPlugConnectedX } from '@tabler/icons-react';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useSession } from '../../auth/session.tsx';
import { consoleUnavailable } from './live-availability.ts';
import { liveSocketUrl } from './live-url.ts';
import { startConsole, type ConsoleEnd, type ConsoleSession, type XtermModules } from './console-session.ts';

/** Loads xterm, its fit addon and its stylesheet (one lazy chunk). */
async function loadXterm(): Promise<XtermModules> {
  const [xterm, fit] = await Promise.all([import('@xterm/xterm'), import('@xterm/addon-fit'), import('@xterm/xterm/css/xterm.css')]);
  return { Terminal: xterm.Terminal, FitAddon: fit.FitAddon };
}

/** The sentence shown once a session is over. */
function endText(end: ConsoleEnd): string {
  if (end.kind === 'exit') return `Process exited with code ${end.exitCode ?? 'unknown'}.`;
  return end.reason;
}

/** The Console tab: command and user, Connect / Disconnect, and the terminal. */
export function ConsolePanel({ env, containerId, state }: { env: Environment; containerId: string; state: string }) {
  const session = useSession();
  const [cmd, setCmd] = useState('sh');
  const [user, setUser] = useState('');
  const [phase, setPhase] = useState<'idle' | 'loading' | 'connecting' | 'open'>('idle');
  const [end, setEnd] = useState<ConsoleEnd | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const terminal = useRef<HTMLDivElement>(null);
  const current = useRef<ConsoleSession | null>(null);
  useEffect(() => () => current.current?.close(), []);
  const notAllowed = session.whyNot('containers.exec', env);
  if (notAllowed) {
    return (
      <Text c="dimmed" size="sm">
        {notAllowed}
      </Text>
    );
  }
  const stopped = consoleUnavailable(state);
  const connect = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const element = terminal.current;
    if (!element) return;
    current.current?.close();
    setEnd(null);
    setLoadError(null);
    setPhase('loading');
    let mods: XtermModules;
    try {
      mods = await loadXterm();
    } catch {
      setLoadError('The terminal could not be loaded: reload the page (Capstan may have been updated).');
      setPhase('idle');
      return;
    }
    setPhase('connecting');
    const query = (cols: number, rows: number) => ({ cmd: cmd.trim() || 'sh', user: user.trim() || undefined, cols, rows });
    current.current = startConsole(mods, element, (cols, rows) => liveSocketUrl(window.location, env.id, containerId, 'console', query(cols, rows)), {
      onOpen: () => setPhase('open'),
      onEnd: (how) => {
        current.current = null;
        setEnd(how);
        setPhase('idle');
      },
    });
  };
  const disconnect = (): void => {
    current.current?.close();
    current.current = null;
    setPhase('idle');
    setEnd({ kind: 'closed', reason: 'Disconnected.' });
  };
  const busy = phase !== 'idle';
  return (
    <>
      <form onSubmit={(e) => void connect(e)}>
        <Group align="flex-end" gap="sm" wrap="wrap" mb="sm">
          <TextInput label="Command" description="Split on spaces, no shell quoting" value={cmd} onChange={(e) => setCmd(e.currentTarget.value)} disabled={busy} w={220} />
          <TextInput label="User" description="Optional: name or uid[:gid]" placeholder="image default" value={user} onChange={(e) => setUser(e.currentTarget.value)} disabled={busy} w={180} />
          {busy ? (
            <Button color="red" variant="light" leftSection={<IconPlugConnectedX size={16} />} onClick={disconnect} loading={phase !== 'open'}>
              Disconnect
            </Button>
          ) : (
            <Button type="submit" leftSection={<IconPlugConnected size={16} />} disabled={stopped !== null}>
              Connect
            </Button>
          )}
        </Group>
      </form>
      {stopped && !busy && (
        <Text size="sm" c="dimmed" mb="sm">
          {stopped}
        </Text>
      )}
      {loadError && (
        <Alert color="red" mb="sm">
          {loadError}
        </Alert>
      )}
      {end && (
        <Alert variant="light" color={end.kind === 'exit' && end.exitCode === 0 ? 'gray' : 'orange'} mb="sm" aria-live="polite">
          {endText(end)} Connect again for a new session.
        </Alert>
      )}
      <Box
        ref={terminal}
        data-testid="console"
        h="calc(100vh - 380px)"
        mih={320}
        p={4}
        bg="#000"
        style={{ borderRadius: 4, overflow: 'hidden' }}
        onClick={() => current.current?.focus()}
      />
    </>
  );
}
