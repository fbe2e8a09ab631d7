import { Counter, Gauge, type Registry } from 'prom-client';
import type { FaultScheduler } from '../faults/FaultScheduler.js';

/** Fault windows as series, so dashboards can shade them and alerts can be checked against them. */
export function registerFaultMetrics(registry: Registry, scheduler: FaultScheduler): void {
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
  scheduler.observer.on('inject', (r) => {
    active.inc({ kind: r.kind });
    injected.inc({ kind: r.kind });
  });
  scheduler.observer.on('revert', (r) => active.dec({ kind: r.kind }));
}
