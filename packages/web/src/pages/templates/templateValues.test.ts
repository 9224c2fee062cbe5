import { describe, expect, it } from 'vitest';
import { checkValues, errorsFromProblem, initialValues, renderValues, type TemplateVariableDef } from './templateValues.ts';

const def = (over: Partial<TemplateVariableDef> & Pick<TemplateVariableDef, 'name' | 'type'>): TemplateVariableDef => ({ label: over.name, description: '', required: false, ...over });

const defs: TemplateVariableDef[] = [
  def({ name: 'PORT', type: 'port', default: 8080 }),
  def({ name: 'DEBUG', type: 'boolean', default: true }),
  def({ name: 'PASSWORD', type: 'secret', required: true, min: 8 }),
  def({ name: 'MODE', type: 'select', options: [{ value: 'a' }, { value: 'b' }], default: 'a' }),
  def({ name: 'SLUG', type: 'string', pattern: '[a-z]+' }),
  def({ name: 'WORKERS', type: 'number', min: 1, max: 8 }),
];

describe('template variable form', () => {
  it('starts from the defaults', () => {
    expect(initialValues(defs)).toEqual({ PORT: '8080', DEBUG: true, PASSWORD: '', MODE: 'a', SLUG: '', WORKERS: '' });
  });

  it('checks values as the server does', () => {
    const values = { ...initialValues(defs), PORT: '70000', PASSWORD: 'short', SLUG: 'Nope', WORKERS: '9' };
    expect(checkValues(defs, values)).toEqual({
      PORT: 'Must be a port number from 1 to 65535',
      PASSWORD: 'Must be at least 8 characters',
      SLUG: 'Must match [a-z]+',
      WORKERS: 'Must be at most 8',
    });
    expect(checkValues(defs, initialValues(defs))).toEqual({ PASSWORD: 'Required' });
    expect(checkValues(defs, { ...initialValues(defs), PASSWORD: 'long enough', MODE: 'c' })).toEqual({ MODE: 'Choose one of the options' });
  });

  it('sends what was given, leaving empty values to their defaults', () => {
    expect(renderValues(defs, { ...initialValues(defs), PASSWORD: 'long enough' })).toEqual({ PORT: '8080', DEBUG: true, PASSWORD: 'long enough', MODE: 'a' });
  });

  it('reads per-variable problems', () => {
    expect(errorsFromProblem({ type: 'x', title: 'x', status: 400, code: 'validation_failed', detail: 'd', issues: [{ location: 'body', path: 'variables.PORT', message: 'bad' }, { location: 'body', path: 'name', message: 'other' }] })).toEqual({ PORT: 'bad' });
  });
});
