import { parseCompose } from '@capstan/protocol';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_COMPOSE, nameFromTitle, readPrefill } from './newStackPrefill.ts';

describe('new stack prefill', () => {
  it('reads router state, or nothing', () => {
    expect(readPrefill({ prefill: { compose: 'services: {}', name: 'x' } })).toEqual({ compose: 'services: {}', name: 'x', files: [], variables: [], source: 'template' });
    expect(readPrefill(null)).toBeNull();
    expect(readPrefill({ prefill: { name: 'no compose' } })).toBeNull();
  });

  it('makes stack names from titles', () => {
    expect(nameFromTitle('My App 2')).toBe('my-app-2');
    expect(nameFromTitle('  --WordPress!  ')).toBe('wordpress');
  });

  it('starts from a valid example', () => {
    const r = parseCompose({ files: { 'compose.yaml': EXAMPLE_COMPOSE }, mainFile: 'compose.yaml', projectName: 'demo', variables: {} });
    expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
  });
});
