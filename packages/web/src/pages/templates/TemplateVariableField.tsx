import { NumberInput, PasswordInput, Select, Switch, TextInput } from '@mantine/core';
import type { TemplateVariableDef } from './templateValues.ts';

/** One typed input for a template variable: text, number, port, switch, choice or secret. */
export function TemplateVariableField({ def, value, error, onChange }: { def: TemplateVariableDef; value: string | boolean; error?: string; onChange: (v: string | boolean) => void }) {
  const label = def.label || def.name;
  const description = [def.description, def.default !== undefined && def.type !== 'boolean' ? `Default: ${String(def.default)}` : ''].filter(Boolean).join(' · ') || undefined;
  const required = def.required && def.default === undefined;
  const text = typeof value === 'string' ? value : String(value);
  switch (def.type) {
    case 'boolean':
      return <Switch label={label} description={def.description || undefined} checked={value === true} onChange={(e) => onChange(e.currentTarget.checked)} />;
    case 'number':
    case 'port':
      return (
        <NumberInput
          label={label}
          description={description}
          required={required}
          error={error}
          value={text}
          onChange={(v) => onChange(String(v))}
          min={def.type === 'port' ? 1 : def.min}
          max={def.type === 'port' ? 65535 : def.max}
          allowDecimal={def.type === 'number'}
        />
      );
    case 'select':
      return <Select label={label} description={description} required={required} error={error} value={text || null} onChange={(v) => onChange(v ?? '')} data={(def.options ?? []).map((o) => ({ value: o.value, label: o.label ?? o.value }))} />;
    case 'secret':
      return <PasswordInput label={label} description={description} required={required} error={error} value={text} onChange={(e) => onChange(e.currentTarget.value)} autoComplete="new-password" />;
    default:
      return <TextInput label={label} description={description} required={required} error={error} value={text} onChange={(e) => onChange(e.currentTarget.value)} />;
  }
}
