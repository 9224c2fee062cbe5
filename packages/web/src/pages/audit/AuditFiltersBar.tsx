// The audit filters. Text fields apply after a short pause in typing; selects and dates at once.
import { Button, Group, Select, SimpleGrid, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconFilterOff } from '@tabler/icons-react';
import { useEffect, useRef, useState } from 'react';
import { EMPTY_FILTERS, OUTCOMES, filtersToParams, hasFilters, type AuditFilters } from './auditFilters.ts';
import { isoToLocalInput, localInputToIso } from './localTime.ts';

type TextKey = 'action' | 'user' | 'targetType' | 'targetId' | 'requestId';

const TEXT_FIELDS: { key: TextKey; label: string; placeholder: string }[] = [
  { key: 'action', label: 'Action', placeholder: 'stack.deploy or stack.*' },
  { key: 'user', label: 'User', placeholder: 'Exact username' },
  { key: 'targetType', label: 'Target type', placeholder: 'stack, user, environment…' },
  { key: 'targetId', label: 'Target ID', placeholder: 'e.g. 12' },
  { key: 'requestId', label: 'Request ID', placeholder: 'From a Problem or a log line' },
];

const OUTCOME_DATA = [{ value: 'any', label: 'Any outcome' }, ...OUTCOMES.map((o) => ({ value: o, label: o[0]?.toUpperCase() + o.slice(1) }))];

/** Filter inputs bound to `filters`; `onChange` receives the complete new filter set. */
export function AuditFiltersBar({ filters, onChange }: { filters: AuditFilters; onChange: (f: AuditFilters) => void }) {
  const [draft, setDraft] = useState(filters);
  const [debounced] = useDebouncedValue(draft, 400);
  const sent = useRef(filtersToParams(filters).toString());
  const current = filtersToParams(filters).toString();
  // The URL changed by itself (back button, a link, "Clear"): show what it says.
  useEffect(() => {
    if (current !== sent.current) {
      sent.current = current;
      setDraft(filters);
    }
  }, [current, filters]);
  useEffect(() => {
    const next = filtersToParams(debounced).toString();
    if (next === sent.current) return;
    sent.current = next;
    onChange(debounced);
  }, [debounced, onChange]);
  // Selects and dates skip the pause.
  const commit = (patch: Partial<AuditFilters>): void => {
    const next = { ...draft, ...patch };
    setDraft(next);
    sent.current = filtersToParams(next).toString();
    onChange(next);
  };
  return (
    <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} spacing="sm" verticalSpacing="xs">
      {TEXT_FIELDS.map((f) => (
        <TextInput
          key={f.key}
          label={f.label}
          placeholder={f.placeholder}
          value={draft[f.key]}
          onChange={(e) => setDraft({ ...draft, [f.key]: e.currentTarget.value })}
          ff={f.key === 'action' ? 'monospace' : undefined}
        />
      ))}
      <Select label="Outcome" data={OUTCOME_DATA} value={draft.outcome || 'any'} onChange={(v) => commit({ outcome: OUTCOMES.find((o) => o === v) ?? '' })} allowDeselect={false} />
      <TextInput type="datetime-local" label="From" value={draft.from ? isoToLocalInput(draft.from) : ''} onChange={(e) => commit({ from: localInputToIso(e.currentTarget.value) ?? '' })} />
      <TextInput type="datetime-local" label="To" value={draft.to ? isoToLocalInput(draft.to) : ''} onChange={(e) => commit({ to: localInputToIso(e.currentTarget.value) ?? '' })} />
      <Group align="flex-end">
        <Button variant="subtle" leftSection={<IconFilterOff size={16} />} onClick={() => commit(EMPTY_FILTERS)} disabled={!hasFilters(draft)}>
          Clear filters
        </Button>
      </Group>
    </SimpleGrid>
  );
}
