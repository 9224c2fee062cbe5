import { describe, expect, it } from 'vitest';
import { network, project, volume } from './fixtures.test-util.ts';
import { COMPOSE_LABEL, networkLabels, volumeLabels } from './labels.ts';

describe('network and volume labels', () => {
  it('name the key, or the name: given instead of <project>_<key> (as docker-compose 1.29 does)', () => {
    const p = project('shop', [], {
      networks: { default: network('shop', 'default'), web: network('shop', 'web', { name: 'proxy-web', labels: { tier: 'front' } }) },
      volumes: { data: volume('shop', 'data'), scratch: volume('shop', 'scratch', { name: 'shared-scratch' }) },
    });
    expect(networkLabels(p, 'default')).toEqual({ [COMPOSE_LABEL.network]: 'default', [COMPOSE_LABEL.project]: 'shop', [COMPOSE_LABEL.version]: '1.29.2' });
    expect(networkLabels(p, 'web')).toEqual({ tier: 'front', [COMPOSE_LABEL.network]: 'proxy-web', [COMPOSE_LABEL.project]: 'shop', [COMPOSE_LABEL.version]: '1.29.2' });
    expect(volumeLabels(p, 'data')[COMPOSE_LABEL.volume]).toBe('data');
    expect(volumeLabels(p, 'scratch')[COMPOSE_LABEL.volume]).toBe('shared-scratch');
  });
});
