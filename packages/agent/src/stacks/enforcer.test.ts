import type { StackStep } from '@capstan/protocol';
import { describe, expect, it } from 'vitest';
import { enforcementSteps } from './enforcer.ts';

describe('enforcementSteps', () => {
  it('keeps only what makes the missing again: networks, volumes, new containers and their starts', () => {
    const steps: StackStep[] = [
      { kind: 'pull-image', reference: 'busybox', services: ['db'] },
      { kind: 'stop-container', service: 'old', containerId: 'o1', name: 'p_old_1', reason: 'orphan' },
      { kind: 'remove-container', service: 'old', containerId: 'o1', name: 'p_old_1', reason: 'orphan' },
      { kind: 'create-network', key: 'default', name: 'p_default' },
      { kind: 'create-volume', key: 'data', name: 'p_data' },
      { kind: 'wait-dependency', service: 'web', dependency: 'db', condition: 'service_healthy' },
      { kind: 'stop-container', service: 'web', containerId: 'w1', name: 'p_web_1', reason: 'recreate' },
      { kind: 'remove-container', service: 'web', containerId: 'w1', name: 'p_web_1', reason: 'recreate' },
      { kind: 'create-container', service: 'web', number: 1, name: 'p_web_1', image: 'busybox', configHash: 'h', replaces: 'w1' },
      { kind: 'start-container', service: 'web', name: 'p_web_1' },
      { kind: 'start-container', service: 'web', name: 'p_web_2' }, // merely stopped: stays stopped
      { kind: 'create-container', service: 'web', number: 3, name: 'p_web_3', image: 'busybox', configHash: 'h' },
      { kind: 'start-container', service: 'web', name: 'p_web_3' },
      { kind: 'remove-network', name: 'p_gone' },
    ];
    expect(enforcementSteps(steps)).toEqual([
      { kind: 'create-network', key: 'default', name: 'p_default' },
      { kind: 'create-volume', key: 'data', name: 'p_data' },
      { kind: 'create-container', service: 'web', number: 3, name: 'p_web_3', image: 'busybox', configHash: 'h' },
      { kind: 'start-container', service: 'web', name: 'p_web_3' },
    ]);
  });

  it('has nothing to do for a plan that only starts or removes', () => {
    expect(enforcementSteps([{ kind: 'start-container', service: 'db', name: 'p_db_1' }])).toEqual([]);
    expect(enforcementSteps([])).toEqual([]);
  });
});
