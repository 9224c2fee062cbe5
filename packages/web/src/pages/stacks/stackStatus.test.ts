import { describe, expect, it } from 'vitest';
import { outcomeOf, statusColor, statusLabel } from './stackStatus.ts';

describe('stack status display', () => {
  it('gives each status a colour and a label', () => {
    expect(statusColor('deployed')).toBe('teal');
    expect(statusColor('failed')).toBe('red');
    expect(statusColor('rolled_back')).toBe('orange');
    expect(statusColor('deploying')).toBe('blue');
    expect(statusColor('draft')).toBe('gray');
    expect(statusLabel('rolled_back')).toBe('Rolled back');
    expect(statusLabel('deployed')).toBe('Deployed');
  });

  it('says why a deploy failed or was rolled back', () => {
    expect(outcomeOf({ status: 'deployed', reason: null })).toEqual({ text: 'Deployed', color: 'teal', final: true });
    expect(outcomeOf({ status: 'failed', reason: 'pull denied' }).text).toBe('Failed: pull denied');
    expect(outcomeOf({ status: 'rolled_back', reason: 'web is unhealthy' }).text).toBe('Rolled back automatically: web is unhealthy');
    expect(outcomeOf({ status: 'failed', reason: null }).text).toBe('Failed: no reason was given');
    expect(outcomeOf({ status: 'deploying', reason: null }).final).toBe(false);
    expect(outcomeOf({ status: 'deployed', reason: null, kind: 'rollback' }).text).toBe('Deployed (rollback)');
  });
});
