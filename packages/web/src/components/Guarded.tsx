// Role-aware actions: an action the principal may not take is either hidden (mode "hide", the
// default for destructive and administrative actions) or shown disabled with the reason in a
// tooltip (mode "explain", when knowing the action exists helps the person ask for it).
import { Tooltip } from '@mantine/core';
import type { Permission } from '@capstan/protocol';
import { cloneElement, isValidElement, type ReactElement } from 'react';
import type { EnvironmentScope } from '../auth/permissions.ts';
import { useSession } from '../auth/session.tsx';

/** Renders `children` only when allowed; with `explain`, renders it disabled with the reason instead. */
export function Guarded({ permission, env, explain = false, children }: { permission: Permission; env?: EnvironmentScope; explain?: boolean; children: ReactElement<{ disabled?: boolean }> }) {
  const session = useSession();
  const reason = session.whyNot(permission, env);
  if (reason === null) return children;
  if (!explain || !isValidElement(children)) return null;
  return (
    <Tooltip label={reason} multiline w={280} withArrow>
      <span tabIndex={0} data-disabled-reason={reason}>
        {cloneElement(children, { disabled: true })}
      </span>
    </Tooltip>
  );
}
