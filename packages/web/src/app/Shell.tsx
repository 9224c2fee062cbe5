// The signed-in frame: header (live indicator, theme, user menu), side navigation that folds into
// a burger below tablet width, and the page in the middle.
import { ActionIcon, AppShell, Badge, Burger, Group, Menu, NavLink, ScrollArea, Text, Tooltip, UnstyledButton, useComputedColorScheme, useMantineColorScheme } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconLogout, IconMoon, IconSun, IconUser } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { Suspense, useEffect, useState } from 'react';
import { NavLink as RouterNavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { call } from '../api/client.ts';
import { connectLiveEvents, type LiveState } from '../api/events.ts';
import { useSession } from '../auth/session.tsx';
import { Loading } from '../components/Loading.tsx';
import { visibleNav } from './nav.ts';

const LIVE_LABEL: Record<LiveState, { color: string; text: string }> = {
  connecting: { color: 'gray', text: 'Connecting' },
  live: { color: 'teal', text: 'Live' },
  reconnecting: { color: 'yellow', text: 'Reconnecting' },
};

function ThemeToggle() {
  const { setColorScheme } = useMantineColorScheme();
  const scheme = useComputedColorScheme('light');
  const next = scheme === 'dark' ? 'light' : 'dark';
  return (
    <Tooltip label={`Switch to ${next} theme`}>
      <ActionIcon variant="subtle" color="gray" onClick={() => setColorScheme(next)} aria-label={`Switch to ${next} theme`}>
        {scheme === 'dark' ? <IconSun size={18} /> : <IconMoon size={18} />}
      </ActionIcon>
    </Tooltip>
  );
}

function UserMenu() {
  const { me } = useSession();
  const navigate = useNavigate();
  const client = useQueryClient();
  const logout = async (): Promise<void> => {
    await call('POST /api/auth/logout', { body: {} }).catch(() => undefined);
    client.clear();
    void navigate('/login?reason=logged_out', { replace: true });
  };
  return (
    <Menu position="bottom-end" withArrow>
      <Menu.Target>
        <UnstyledButton aria-label="Account menu" data-testid="user-menu">
          <Group gap={6}>
            <IconUser size={18} />
            <Text size="sm">{me.user.username}</Text>
          </Group>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>{me.user.isAdmin ? 'Administrator' : me.readOnly ? 'Read-only key' : 'User'}</Menu.Label>
        <Menu.Item leftSection={<IconLogout size={16} />} onClick={() => void logout()}>
          Sign out
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

/** The layout of every signed-in page. */
export function Shell() {
  const { me } = useSession();
  const [opened, { toggle, close }] = useDisclosure();
  const [live, setLive] = useState<LiveState>('connecting');
  const client = useQueryClient();
  const location = useLocation();
  useEffect(() => connectLiveEvents(client, setLive), [client]);
  useEffect(close, [location.pathname, close]);
  const state = LIVE_LABEL[live];
  return (
    <AppShell header={{ height: 52 }} navbar={{ width: 220, breakpoint: 'md', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group gap="sm">
            <Burger opened={opened} onClick={toggle} hiddenFrom="md" size="sm" aria-label="Toggle navigation" />
            <Text fw={700} size="lg">
              Capstan
            </Text>
            <Badge variant="dot" color={state.color} data-testid="live-state" aria-live="polite">
              {state.text}
            </Badge>
          </Group>
          <Group gap="sm">
            <ThemeToggle />
            <UserMenu />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main navigation">
        <ScrollArea>
          {visibleNav(me).map((e) => (
            <NavLink
              key={e.to}
              component={RouterNavLink}
              to={e.to}
              end={e.to === '/'}
              label={e.label}
              active={e.to === '/' ? location.pathname === '/' || location.pathname.startsWith('/environments') : location.pathname.startsWith(e.to)}
            />
          ))}
        </ScrollArea>
      </AppShell.Navbar>
      <AppShell.Main>
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}
