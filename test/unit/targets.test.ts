import { describe, expect, it } from 'vitest';
import { networkFaultReach, resolveViewers } from '../../harness/faults/targets.js';
import { parseScenario } from '../../harness/scenario/load.js';

const ids = ['browser-1', 'browser-2', 'synthetic-1', 'synthetic-2', 'synthetic-3', 'synthetic-4'];

describe('fault targets', () => {
  it('resolve by count and percentage in join order, by id as named', () => {
    expect(resolveViewers(2, ids)).toEqual(['browser-1', 'browser-2']);
    expect(resolveViewers('50%', ids)).toEqual(['browser-1', 'browser-2', 'synthetic-1']);
    expect(resolveViewers(['synthetic-3'], ids)).toEqual(['synthetic-3']);
    expect(resolveViewers('all', ids)).toEqual(ids);
    expect(() => resolveViewers(['browser-9'], ids)).toThrow(/unknown viewer id\(s\) browser-9/);
  });

  it('only the peers a network fault can reach go through the relay', () => {
    const scenario = parseScenario(
      `name: x
duration: 60s
viewers: { browser: 2, synthetic: 4 }
faults:
  - { kind: network, at: 1s, duration: 5s, viewers: [browser-2], loss: 5% }
  - { kind: network, at: 10s, duration: 5s, viewers: 1, delay: 50ms }
  - { kind: video-freeze, at: 20s, duration: 2s }
`,
      'x.yaml',
    );
    const reach = networkFaultReach(scenario.faults, ids);
    expect(ids.filter(reach)).toEqual(['browser-1', 'browser-2']);
    expect(reach('publisher')).toBe(false);
    // Viewers on other machines are not known here: any of them may be reached.
    expect(networkFaultReach(scenario.faults, null)('s1-synthetic-7')).toBe(true);
    expect(networkFaultReach(scenario.faults, null)('publisher')).toBe(false);
  });

  it('a fault on the publisher relays the publisher only; no network fault, nobody', () => {
    const onPublisher = parseScenario('name: x\nduration: 60s\nfaults:\n  - { kind: network, at: 1s, duration: 5s, target: publisher, loss: 5% }\n', 'x.yaml');
    const reach = networkFaultReach(onPublisher.faults, ids);
    expect(reach('publisher')).toBe(true);
    expect(ids.some(reach)).toBe(false);
    expect(ids.some(networkFaultReach([], ids))).toBe(false);
  });
});
