import type { Run } from '../run/Run.js';
import type { RunOutput } from '../run/output.js';
import { ViewerMetrics } from './viewerMetrics.js';
import { registerSelfMetrics } from './selfMetrics.js';
import { registerFaultMetrics } from './faultMetrics.js';

/**
 * The run's viewer QoE, the harness's own load and (except in drills, whose
 * faults are hidden) the fault windows, as Prometheus series in the run's
 * registry: the SFU server (or a shard's metrics server) exposes it on /metrics.
 */
export class PrometheusOutput implements RunOutput {
  readonly name = 'prometheus';

  attach(run: Run): void {
    const viewers = new ViewerMetrics(run.registry);
    const self = registerSelfMetrics(run.registry);
    run.observer.on('viewer', (viewer) => {
      viewers.attach(viewer);
      viewer.observer.on('report', (_id, report) => viewers.onViewerReport(viewer.kind, report));
    });
    run.observer.on('publisherReport', (report) => viewers.onPublisherReport(report));
    run.observer.on('selfSample', self);
    if (run.options.hideFaults) return;
    const faults = registerFaultMetrics(run.registry);
    run.observer.on('faultInjected', (f) => faults.injected(f.kind));
    run.observer.on('faultReverted', (f) => faults.reverted(f.kind));
  }
}
