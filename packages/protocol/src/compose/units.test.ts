import { describe, expect, it } from 'vitest';
import { parseBytes, parseDurationMs } from './units.ts';

describe('parseDurationMs', () => {
  it.each([
    ['10s', 10_000],
    ['1m30s', 90_000],
    ['1h', 3_600_000],
    ['1.5s', 1500],
    ['500ms', 500],
    ['2m3s4ms', 123_004],
    ['1500us', 2],
    [' 5s ', 5000],
  ])('%s → %i ms', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });
  it.each(['', '10', 's', '10 s', '1d', '-5s', '10sec'])('rejects %j', (text) => {
    expect(parseDurationMs(text)).toBeNull();
  });
});

describe('parseBytes', () => {
  it.each([
    ['512', 512],
    ['512b', 512],
    ['64k', 65536],
    ['512M', 512 * 1024 ** 2],
    ['1g', 1024 ** 3],
    ['1gb', 1024 ** 3],
    ['1.5g', 1.5 * 1024 ** 3],
    ['2MB', 2 * 1024 ** 2],
  ])('%s → %i', (text, bytes) => {
    expect(parseBytes(text)).toBe(bytes);
  });
  it.each(['', 'M', '512X', '1t', '-1m', 'lots'])('rejects %j', (text) => {
    expect(parseBytes(text)).toBeNull();
  });
});
