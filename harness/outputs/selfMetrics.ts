import { Gauge, type Registry } from 'prom-client';
import type { SelfSample } from '../probes/SelfWatch.js';

/**
 * The harness's own load, so a dashboard can tell a real freeze from a
 * saturated test machine. Returns what to call with each self-watch sample.
 */
export function registerSelfMetrics(registry: Registry): (sample: SelfSample) => void {
  const registers = [registry];
  const cores = new Gauge({
    name: 'livedrill_process_cpu_cores',
    help: 'CPU cores used over the last second, per process group (harness, browsers, sfu)',
    labelNames: ['group'],
    registers,
  });
  const busy = new Gauge({ name: 'livedrill_machine_cpu_busy_ratio', help: 'Share of all cores busy over the last second', registers });
  const lag = new Gauge({
    name: 'livedrill_harness_event_loop_lag_seconds',
    help: 'Worst event-loop delay of the harness over the last second',
    registers,
  });
  return (s) => {
    for (const [group, value] of Object.entries(s.cores)) cores.set({ group }, value);
    busy.set(s.machineBusy);
    lag.set(s.eventLoopLagMaxMs / 1000);
  };
}
