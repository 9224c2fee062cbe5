// Where a registry's credentials may be used: every environment, or chosen environments and groups.
import { Alert, MultiSelect, Radio, Group, Stack } from '@mantine/core';
import { useScopes } from '../access/useScopes.ts';
import { scopesNothing, type RegistryDraft } from './registryForm.ts';

/** The scope part of the registry dialog. */
export function RegistryScopeFields({ draft, onChange }: { draft: RegistryDraft; onChange: (patch: Partial<RegistryDraft>) => void }) {
  const scopes = useScopes();
  const ids = (values: string[]): number[] => values.map(Number);
  return (
    <Stack gap="xs">
      <Radio.Group label="Used by" value={draft.scoped ? 'some' : 'all'} onChange={(v) => onChange({ scoped: v === 'some' })}>
        <Group mt={4}>
          <Radio value="all" label="Every environment" />
          <Radio value="some" label="Chosen environments and groups" />
        </Group>
      </Radio.Group>
      {draft.scoped && (
        <>
          <MultiSelect
            label="Environments"
            data={scopes.environments.map((e) => ({ value: String(e.id), label: e.name }))}
            value={draft.environmentIds.map(String)}
            onChange={(v) => onChange({ environmentIds: ids(v) })}
            searchable
            clearable
          />
          <MultiSelect
            label="Groups"
            description="Every environment of these groups, now and later"
            data={scopes.groups.map((g) => ({ value: String(g.id), label: g.name }))}
            value={draft.groupIds.map(String)}
            onChange={(v) => onChange({ groupIds: ids(v) })}
            searchable
            clearable
          />
          {scopesNothing(draft) && (
            <Alert color="yellow" variant="light">
              No environment may use these credentials until you choose some.
            </Alert>
          )}
        </>
      )}
    </Stack>
  );
}
