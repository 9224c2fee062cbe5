import { describe, expect, it } from 'vitest';
import { dockerProblem, objectPath, passthroughUnavailable } from './docker.ts';

describe('passthroughUnavailable', () => {
  it('is available only for standard environments that are up', () => {
    expect(passthroughUnavailable({ mode: 'standard', status: 'up' })).toBeNull();
    expect(passthroughUnavailable({ mode: 'standard', status: 'down' })).toMatch(/agent online/);
    expect(passthroughUnavailable({ mode: 'standard', status: 'pending' })).toMatch(/agent online/);
    expect(passthroughUnavailable({ mode: 'async', status: 'up' })).toMatch(/async/);
  });
});

describe('dockerProblem', () => {
  it('keeps the server Problem as it is', () => {
    const problem = { type: 'about:blank', title: 'Forbidden', status: 403, code: 'forbidden', detail: 'you may not remove images here' };
    expect(dockerProblem(403, problem)).toEqual(problem);
  });

  it("turns Docker's message into a Problem", () => {
    expect(dockerProblem(409, { message: 'image is being used by running container abc' })).toEqual({
      type: 'about:blank',
      title: 'Docker refused',
      status: 409,
      code: 'conflict',
      detail: 'Docker: image is being used by running container abc',
    });
    expect(dockerProblem(404, { message: 'no such volume' }).code).toBe('not_found');
    expect(dockerProblem(500, 'garbage')).toMatchObject({ code: 'agent_upstream_error', detail: 'the Docker passthrough answered 500' });
  });
});

describe('objectPath', () => {
  it('encodes ids and names', () => {
    expect(objectPath('images', 'sha256:abc')).toBe('images/sha256%3Aabc');
    expect(objectPath('volumes', 'my vol')).toBe('volumes/my%20vol');
  });
});
