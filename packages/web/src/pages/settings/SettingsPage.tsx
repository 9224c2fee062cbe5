// Settings: the person's own account and password, appearance, session, and the server's version.
import { Stack } from '@mantine/core';
import { PageHeader } from '../../components/PageHeader.tsx';
import { AccountSection } from './AccountSection.tsx';
import { AppearanceSection } from './AppearanceSection.tsx';
import { ServerSection } from './ServerSection.tsx';
import { SessionSection } from './SessionSection.tsx';

/** /settings: account, appearance, session and server, for every signed-in person. */
export default function SettingsPage() {
  return (
    <Stack gap="md">
      <PageHeader title="Settings" />
      <AccountSection />
      <AppearanceSection />
      <SessionSection />
      <ServerSection />
    </Stack>
  );
}
