import { describe, expect, it } from 'vitest';
import { definitionOf, emptyDefinition, rowsFromDefinitions, templateBody, undeclaredReferences } from './templateForm.ts';

describe('template definitions form', () => {
  it('turns rows into typed definitions', () => {
    const port = { ...emptyDefinition(), name: 'PORT', type: 'port' as const, default: '8080', min: '1024', pattern: 'ignored' };
    expect(definitionOf(port)).toEqual({ name: 'PORT', description: '', type: 'port', required: false, default: 8080, min: 1024 });
    const select = { ...emptyDefinition(), name: 'MODE', type: 'select' as const, options: 'a\nb=Bee\n', default: 'a', min: '3' };
    expect(definitionOf(select)).toEqual({ name: 'MODE', description: '', type: 'select', required: false, default: 'a', options: [{ value: 'a' }, { value: 'b', label: 'Bee' }] });
    const secret = { ...emptyDefinition(), name: 'PW', type: 'secret' as const, default: 'nope', required: true, pattern: '.{8,}' };
    expect(definitionOf(secret)).toEqual({ name: 'PW', description: '', type: 'secret', required: true, pattern: '.{8,}' });
    expect(definitionOf({ ...emptyDefinition(), name: 'ON', type: 'boolean', default: 'true' }).default).toBe(true);
  });

  it('round-trips definitions', () => {
    const defs = [{ name: 'MODE', label: 'Mode', description: 'd', type: 'select' as const, default: 'b', required: true, options: [{ value: 'a' }, { value: 'b', label: 'Bee' }] }];
    const rows = rowsFromDefinitions(defs);
    expect(rows[0]).toMatchObject({ name: 'MODE', label: 'Mode', options: 'a\nb=Bee', default: 'b' });
    expect(definitionOf(rows[0]!)).toEqual(defs[0]);
  });

  it('builds the body and finds undeclared references', () => {
    const rows = [{ ...emptyDefinition(), name: 'A' }, emptyDefinition()];
    expect(templateBody({ title: ' T ', description: '', categories: ['web'], logo: ' ', compose: 'x', files: [], rows }).variables).toHaveLength(1);
    expect(templateBody({ title: ' T ', description: '', categories: [], logo: '', compose: 'x', files: [], rows }).logo).toBeNull();
    expect(undeclaredReferences('a: ${A}\nb: ${B}\nc: ${C:-x}\nd: $$E\ne: $F', rows)).toEqual(['B', 'F']);
  });
});
