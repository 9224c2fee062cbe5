import { describe, expect, it } from 'vitest';
import { network, project, volume } from './fixtures.test-util.ts';
import { CAPSTAN_LABEL, COMPOSE_LABEL, networkLabels, volumeLabels } from './labels.ts';

describe('network and volume labels', () => {
  it('name the key, or the name: given instead of <project>_<key> (as docker-compose 1.29 does)', () => {
    const p = project('shop', [], {
      networks: { default: network('shop', 'default'), web: network('shop', 'web', { name: 'proxy-web', labels: { tier: 'front' } }) },
      volumes: { data: volume('shop', 'data'), scratch: volume('shop', 'scratch', { name: 'shared-scratch' }) },
    });
    const config = expect.any(String) as unknown as string;
    expect(networkLabels(p, 'default')).toEqual({ [COMPOSE_LABEL.network]: 'default', [COMPOSE_LABEL.project]: 'shop', [COMPOSE_LABEL.version]: '1.29.2', [CAPSTAN_LABEL.networkConfig]: config });
    expect(networkLabels(p, 'web')).toEqual({ tier: 'front', [COMPOSE_LABEL.network]: 'proxy-web', [COMPOSE_LABEL.project]: 'shop', [COMPOSE_LABEL.version]: '1.29.2', [CAPSTAN_LABEL.networkConfig]: config });
    // The settings the network is made with, for change detection.
    expect(JSON.parse(networkLabels(p, 'web')[CAPSTAN_LABEL.networkConfig]!)).toEqual({ driverOpts: {}, enableIpv6: false, internal: false, ipam: null, labels: { tier: 'front' } });
    expect(volumeLabels(p, 'data')[COMPOSE_LABEL.volume]).toBe('data');
    expect(volumeLabels(p, 'scratch')[COMPOSE_LABEL.volume]).toBe('shared-scratch');
  });
});
