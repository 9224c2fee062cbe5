import { Alert } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';
import type { ReactNode } from 'react';

/** Shown instead of a page the person may not read: what it is and who may open it. */
export function NoAccess({ children }: { children: ReactNode }) {
  return (
    <Alert color="gray" variant="light" icon={<IconLock size={18} />} title="Not available to you">
      {children}
    </Alert>
  );
}
