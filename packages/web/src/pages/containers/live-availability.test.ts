import { describe, expect, it } from 'vitest';
import { consoleUnavailable, liveUnavailable } from './live-availability.ts';

describe('liveUnavailable', () => {
  it('offers live features only for standard environments that are up', () => {
    expect(liveUnavailable({ mode: 'standard', status: 'up' })).toBeNull();
    expect(liveUnavailable({ mode: 'async', status: 'up' })).toMatch(/async/);
    expect(liveUnavailable({ mode: 'standard', status: 'down' })).toMatch(/offline/);
    expect(liveUnavailable({ mode: 'standard', status: 'pending' })).toMatch(/No agent/);
  });

  it('opens consoles in running containers only', () => {
    expect(consoleUnavailable('running')).toBeNull();
    expect(consoleUnavailable('exited')).toBe('The container is exited: start it to open a console.');
  });
});
