import { describe, expect, it } from 'vitest';
import { ENV_TABS, envTabPath, tabFromSplat } from './tabs.ts';

describe('tabFromSplat', () => {
  it('reads the first segment when it names a tab', () => {
    expect(tabFromSplat('images', ENV_TABS, 'containers')).toBe('images');
    expect(tabFromSplat('agent/extra', ENV_TABS, 'containers')).toBe('agent');
  });

  it('falls back for empty or unknown segments', () => {
    expect(tabFromSplat(undefined, ENV_TABS, 'containers')).toBe('containers');
    expect(tabFromSplat('', ENV_TABS, 'containers')).toBe('containers');
    expect(tabFromSplat('nope', ENV_TABS, 'containers')).toBe('containers');
  });

  it('gives each tab its path', () => {
    expect(envTabPath(3, 'containers')).toBe('/environments/3');
    expect(envTabPath(3, 'queue')).toBe('/environments/3/queue');
  });
});
