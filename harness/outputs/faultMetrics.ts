import { Counter, Gauge, type Registry } from 'prom-client';
import type { FaultKind } from '../scenario/faults.js';

/**
 * Fault windows as series, so dashboards can shade them and alerts can be
 * checked against them. Returns what to call when a fault strikes and ends.
 */
export function registerFaultMetrics(registry: Registry): { injected(kind: FaultKind): void; reverted(kind: FaultKind): void } {
  const registers = [registry];
  const active = new Gauge({
    name: 'livedrill_fault_active',
    help: 'Faults of this kind injected right now',
    labelNames: ['kind'],
    registers,
  });
  const injected = new Counter({
    name: 'livedrill_faults_injected_total',
    help: 'Faults injected, by kind',
    labelNames: ['kind'],
    registers,
  });
  return {
    injected: (kind) => {
      active.inc({ kind });
      injected.inc({ kind });
    },
    reverted: (kind) => active.dec({ kind }),
  };
}
