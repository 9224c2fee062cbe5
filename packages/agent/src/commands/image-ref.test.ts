import { describe, expect, it } from 'vitest';
import { PullProgress, splitImageReference } from './image-ref.ts';

describe('splitImageReference', () => {
  it('splits name and tag, defaulting to latest, and leaves registry ports and digests alone', () => {
    expect(splitImageReference('busybox')).toEqual({ fromImage: 'busybox', tag: 'latest' });
    expect(splitImageReference('busybox:1.36')).toEqual({ fromImage: 'busybox', tag: '1.36' });
    expect(splitImageReference('registry:5000/team/app')).toEqual({ fromImage: 'registry:5000/team/app', tag: 'latest' });
    expect(splitImageReference('registry:5000/team/app:v2')).toEqual({ fromImage: 'registry:5000/team/app', tag: 'v2' });
    expect(splitImageReference('app@sha256:abc')).toEqual({ fromImage: 'app@sha256:abc', tag: '' });
  });
});

describe('PullProgress', () => {
  it('keeps the last status across split lines and ends without a trailing newline', () => {
    const p = new PullProgress();
    p.push('{"status":"Pulling from library/busybox"}\n{"stat');
    p.push('us":"Downloading","progress":"[=>  ]"}\nnot json\n');
    p.push('{"status":"Status: Downloaded newer image for busybox:latest"}');
    p.end();
    expect(p).toMatchObject({ lastStatus: 'Status: Downloaded newer image for busybox:latest', error: null });
  });

  it('fails on an error line, keeping the first one', () => {
    const p = new PullProgress();
    p.push('{"status":"Pulling"}\n{"errorDetail":{"message":"manifest unknown"},"error":"manifest unknown"}\n{"error":"later"}\n');
    p.end();
    expect(p.error).toBe('manifest unknown');
    const d = new PullProgress();
    d.push('{"errorDetail":{"message":"denied"}}');
    d.end();
    expect(d.error).toBe('denied');
  });
});
