import { Badge, SimpleGrid, Title } from '@mantine/core';
import { useSession } from '../../auth/session.tsx';
import { formatTime } from '../../components/time.ts';
import { ChangePasswordForm } from './ChangePasswordForm.tsx';
import { Fact, Section } from './Section.tsx';

/** Who is signed in, and the own-password form when allowed (not on a read-only key). */
export function AccountSection() {
  const session = useSession();
  const { me } = session;
  return (
    <Section title="Account">
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        <Fact label="Username">{me.user.username}</Fact>
        <Fact label="User ID">{me.user.id}</Fact>
        <Fact label="Role">{me.user.isAdmin ? <Badge color="indigo">Administrator</Badge> : 'User'}</Fact>
        <Fact label="Account created">{formatTime(me.user.createdAt)}</Fact>
      </SimpleGrid>
      {session.can('self.manage') && (
        <>
          <Title order={4} size="h5" mt="sm">
            Change password
          </Title>
          <ChangePasswordForm />
        </>
      )}
    </Section>
  );
}
