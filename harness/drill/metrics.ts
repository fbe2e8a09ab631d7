/**
 * Drill metrics on the run's registry (served at /metrics with the rest), as
 * dashboards/grafana/dashboards/drill.json reads them. The time histograms are
 * observed once per incident (per ticket for the vendor's first response),
 * when the action or alert that ends the interval lands; labels stay bounded
 * (rule, action), never an incident or ticket id.
 */
import { Counter, Histogram, type Registry } from 'prom-client';
import type { DrillTimings } from './timings.js';
import { ALERT_RULES } from './detectors.js';

/**
 * Everything people record in a drill. `vendor-*` is what the vendor said or
 * did on a ticket (recorded by the team); `fix-verified` and `reopen` are the
 * team's verdicts on the vendor's fix.
 */
export const INCIDENT_ACTIONS = [
  'ack',
  'ticket',
  'vendor-reply',
  'vendor-ask',
  'vendor-diagnosis',
  'vendor-fix',
  'vendor-escalate',
  'fix-verified',
  'reopen',
  'reclassify',
  'mitigate',
  'resolve',
  'note',
] as const;
export type IncidentActionKind = (typeof INCIDENT_ACTIONS)[number];
export type VendorActionKind = Extract<IncidentActionKind, `vendor-${string}`>;

/** What the vendor said on a ticket: the first of these is its first response. */
export const VENDOR_ACTIONS = INCIDENT_ACTIONS.filter((a): a is VendorActionKind => a.startsWith('vendor-'));
/** Actions about one vendor ticket: the one their `reference` names, else the latest opened. */
export const TICKET_ACTIONS: readonly IncidentActionKind[] = [...VENDOR_ACTIONS, 'fix-verified', 'reopen', 'reclassify'];

/** Seconds: from a detector's few seconds to a vendor's business-day response. */
const BUCKETS = [1, 2, 5, 10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400, 259_200];

type Interval = 'detect' | 'acknowledge' | 'escalate' | 'mitigate' | 'resolve';

export class DrillMetrics {
  readonly alerts: Counter<'rule'>;
  readonly actions: Counter<'action'>;
  readonly #intervals: Record<Interval, Histogram>;
  readonly #vendorFirstResponse: Histogram;
  /** `incident:interval` (or `incident:ticket:reference`) already observed. */
  readonly #observed = new Set<string>();

  constructor(registry: Registry) {
    const registers = [registry];
    this.alerts = new Counter({ name: 'livedrill_drill_alerts_total', help: 'Drill alert rules that started firing', labelNames: ['rule'], registers });
    this.actions = new Counter({ name: 'livedrill_incident_actions_total', help: 'Incident actions recorded during the drill', labelNames: ['action'], registers });
    for (const rule of ALERT_RULES) this.alerts.inc({ rule }, 0);
    for (const action of INCIDENT_ACTIONS) this.actions.inc({ action }, 0);
    const histogram = (name: string, help: string): Histogram => new Histogram({ name, help, buckets: BUCKETS, registers });
    this.#intervals = {
      detect: histogram('livedrill_incident_time_to_detect_seconds', 'Fault start to the first alert of its incident'),
      acknowledge: histogram('livedrill_incident_time_to_acknowledge_seconds', 'First alert to the first acknowledgement'),
      escalate: histogram('livedrill_incident_time_to_escalate_seconds', 'First acknowledgement to the first vendor ticket'),
      mitigate: histogram('livedrill_incident_time_to_mitigate_seconds', 'Fault start to the first mitigation'),
      resolve: histogram('livedrill_incident_time_to_resolve_seconds', 'Fault start to resolution'),
    };
    this.#vendorFirstResponse = histogram('livedrill_incident_vendor_first_response_seconds', "Vendor ticket to the vendor's first reply (wall clock)");
  }

  /** Observes every interval that has completed since the last call. */
  observe(timings: DrillTimings): void {
    for (const incident of timings.incidents) {
      const spans: Record<Interval, number | null> = {
        detect: incident.detectMs,
        acknowledge: incident.acknowledgeMs,
        escalate: incident.escalateMs,
        mitigate: incident.mitigateMs,
        resolve: incident.resolveMs,
      };
      for (const [interval, ms] of Object.entries(spans) as Array<[Interval, number | null]>) {
        this.#once(`${incident.incidentId}:${interval}`, ms, this.#intervals[interval]);
      }
      for (const ticket of incident.tickets) {
        this.#once(`${incident.incidentId}:ticket:${ticket.reference}`, ticket.responseMs, this.#vendorFirstResponse);
      }
    }
  }

  #once(key: string, ms: number | null, histogram: Histogram): void {
    if (ms === null || this.#observed.has(key)) return;
    this.#observed.add(key);
    histogram.observe(Math.max(0, ms) / 1000);
  }
}
