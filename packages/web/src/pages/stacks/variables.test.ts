import { describe, expect, it } from 'vitest';
import { interpolationValues, rowErrors, rowsFromVariables, rowsToInput, SECRET_PLACEHOLDER, type VariableRow } from './variables.ts';

const row = (over: Partial<VariableRow>): VariableRow => ({ key: over.name ?? 'k', name: '', value: '', secret: false, stored: false, ...over });

describe('variables editor rows', () => {
  it('keeps stored secrets unless a new value is typed', () => {
    const rows = rowsFromVariables([
      { name: 'PORT', value: '80', secret: false },
      { name: 'TOKEN', value: null, secret: true },
    ]);
    expect(rows.map((r) => [r.name, r.value, r.secret, r.stored])).toEqual([
      ['PORT', '80', false, false],
      ['TOKEN', '', true, true],
    ]);
    expect(rowsToInput(rows)).toEqual([
      { name: 'PORT', value: '80', secret: false },
      { name: 'TOKEN', secret: true },
    ]);
    expect(rowsToInput([{ ...rows[1]!, value: 'new' }])).toEqual([{ name: 'TOKEN', value: 'new', secret: true }]);
    expect(rowsToInput([row({ key: 'e' })])).toEqual([]);
  });

  it('checks names', () => {
    const errors = rowErrors([row({ key: 'a', name: 'OK' }), row({ key: 'b', name: '1x' }), row({ key: 'c', name: 'OK' }), row({ key: 'd', value: 'v' }), row({ key: 'e' })]);
    expect(errors).toEqual({ b: 'Letters, digits and _, not starting with a digit', c: 'OK is given twice', d: 'Give the variable a name' });
  });

  it('gives the browser check a stand-in for stored secrets', () => {
    expect(interpolationValues([{ name: 'A', value: '1', secret: false }, { name: 'S', value: null, secret: true }, { name: 'bad name', value: 'x', secret: false }])).toEqual({ A: '1', S: SECRET_PLACEHOLDER });
  });
});
