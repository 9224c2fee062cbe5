import { Button, Center, Stack, Text, Title } from '@mantine/core';
import { useRouteError } from 'react-router';

/** Shown when a page fails to render or load (e.g. a new version was deployed mid-session). */
export function RouteError() {
  const error = useRouteError();
  const message = error instanceof Error ? error.message : 'The page could not be shown.';
  return (
    <Center mih="60vh">
      <Stack align="center" gap="sm">
        <Title order={3}>This page failed</Title>
        <Text c="dimmed" maw={520} ta="center">
          {message}
        </Text>
        <Button onClick={() => window.location.reload()}>Reload</Button>
      </Stack>
    </Center>
  );
}
