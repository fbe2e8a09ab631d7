/**
 * One drill, beside the Run that broadcasts it: watches the run's journal and
 * live QoE, fires livedrill's alerts (detectors.ts), records people's actions,
 * keeps the drill metrics, and ends the run (`stopWhen`) once every hidden
 * fault has struck and every incident is resolved.
 *
 * What the console may show is `state()`: live measures, alerts, people's own
 * actions and tickets. It never holds the schedule, fault ids or kinds, nor
 * when a fault struck (not even indirectly: fault events push no update).
 *
 * Faults are observed through the journal (`fault.inject` entries), the only
 * place Run exposes them: `attach()` follows the journal's entries.
 */
import { basename } from 'node:path';
import type { Registry } from 'prom-client';
import { TypedEmitter } from '../../common/TypedEmitter.js';
import { Journal } from '../journal/Journal.js';
import type { JournalEntry } from '../journal/entries.js';
import type { RunEvents, RunPhase } from '../run/lifecycle.js';
import { GENERIC_REPLY_MEANINGS, incidentAction, ticketProblem, type ActionRequest, type IncidentAction, type RecordedAction } from './actions.js';
import { Detectors, liveSample, type AlertRule, type AlertTransition, type FiringAlert, type LiveSample, type ObservedViewer } from './detectors.js';
import { DrillMetrics, TICKET_ACTIONS } from './metrics.js';
import type { DrillSchedule } from './schedule.js';
import type { AlertSettings } from '../scenario/drill.js';
import { judgeFirstResponse, drillTimings, type DrillTimings, type SlaVerdict } from './timings.js';
import { applyToTicket, openTicket, ticketProgress, type Ticket, type TicketProgress } from './tickets.js';
import type { Severity, SlaProfile } from './slaProfile.js';

/** What a drill needs of a Run (a Run has it all; tests can fake it). */
export interface DrillRun {
  readonly observer: TypedEmitter<RunEvents>;
  readonly journal: Journal;
  readonly registry: Registry;
  readonly viewers: readonly ObservedViewer[];
}

export interface DrillSessionOptions {
  name: string;
  description?: string;
  schedule: DrillSchedule;
  alerts: AlertSettings;
  vendor: string;
  profile: SlaProfile | null;
  /** Its file name and text, journaled in drill.start (never the local path: journals travel). */
  slaProfileFile: string | null;
  slaProfileYaml: string | null;
  /** When the token was issued (epoch ms), journaled in drill.start; the token itself never is. */
  tokenIssuedAt: number;
  /** Aborted on Ctrl-C: the drill then ends as "interrupted". */
  signal?: AbortSignal;
}

export type DrillEndReason = 'resolved' | 'time-limit' | 'interrupted' | 'error';

/** One point of the console's charts. */
export interface LivePoint {
  t: number;
  viewers: number;
  connected: number;
  frozen: number;
  freezeRatio: number;
  audioConcealedRatio: number;
  disconnected: number;
  disconnectedShare: number;
  unrecovered: number;
  disconnects: number;
  recoveries: number;
  fps: number;
  machineBusy: number | null;
  sfuCores: number | null;
  /** The worst viewer's latency now, ms: glass-to-glass (stamped source) and network path (synthetic viewers). */
  latencyMs: LiveSample['latencyMs'];
}

export interface TicketView extends Ticket {
  /** The label now (the SLA verdict names the severity it was judged under). */
  severity: Severity;
  /** Null when the ticket's vendor has no SLA profile in this drill. */
  sla: SlaVerdict | null;
  progress: TicketProgress;
}

export interface ConsoleState {
  drill: {
    name: string;
    description: string;
    vendor: string;
    profile: { vendor: string; plan: string; source: string | null; firstResponse: Record<Severity, { budgetMs: number; coverage: string }> } | null;
    timeLimitMs: number;
    rules: Array<{ rule: AlertRule; threshold: number; description: string }>;
    /** The tags a generic vendor reply can carry, with what each means. */
    replyTags: typeof GENERIC_REPLY_MEANINGS;
  };
  now: number;
  phase: string;
  /** When the steady broadcast started (the drill clock), and when the time limit ends it. */
  steadyAt: number | null;
  endsAt: number | null;
  ended: { at: number; reason: DrillEndReason } | null;
  live: LivePoint | null;
  alerts: {
    firing: FiringAlert[];
    history: Array<{ t: number; rule: AlertRule; event: 'fire' | 'resolve'; value: number }>;
  };
  timeline: RecordedAction[];
  tickets: TicketView[];
}

export type DrillSessionEvents = {
  /** The state changed; `point` is a new chart point when the change is a new sample. */
  update: [state: ConsoleState, point: LivePoint | null];
  alert: [transition: AlertTransition];
  action: [action: RecordedAction];
  end: [reason: DrillEndReason];
};

/** An action the API refuses: `status` is the HTTP status, `field` what it is about. */
export class ActionError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

const HISTORY_POINTS = 7200;
const KEPT = new Set(['fault.inject', 'fault.revert', 'alert.fire', 'alert.resolve', 'incident.action', 'run.steady', 'run.error', 'run.end']);

export class DrillSession {
  readonly observer = new TypedEmitter<DrillSessionEvents>();
  readonly detectors: Detectors;
  /** Resolves when the drill is over before its time limit (every incident resolved): the Run's `stopWhen`. */
  readonly stopWhen: Promise<'resolved'>;
  #resolveStop!: (reason: 'resolved') => void;
  #run: DrillRun | undefined;
  #metrics: DrillMetrics | undefined;
  /** The journal entries timings need, in the order written. */
  readonly entries: JournalEntry[] = [];
  readonly #history: LivePoint[] = [];
  readonly #alertHistory: ConsoleState['alerts']['history'] = [];
  readonly #actions: RecordedAction[] = [];
  readonly #injected: string[] = [];
  #phase: RunPhase | 'starting' = 'starting';
  #started = false;
  #stopRequested = false;
  #sawError = false;
  #journalClosed = false;
  #steadyAt: number | null = null;
  #ended: ConsoleState['ended'] = null;

  constructor(readonly options: DrillSessionOptions) {
    this.detectors = new Detectors(options.alerts);
    this.stopWhen = new Promise((resolve) => (this.#resolveStop = resolve));
  }

  get profiles(): Record<string, SlaProfile> {
    const { profile, vendor } = this.options;
    return profile ? { [profile.vendor]: profile, [vendor]: profile } : {};
  }

  get ended(): ConsoleState['ended'] {
    return this.#ended;
  }

  /** Starts watching a run; call before `run.execute()`. */
  attach(run: DrillRun): void {
    if (this.#run) throw new Error('a drill session watches one run');
    this.#run = run;
    this.#metrics = new DrillMetrics(run.registry);
    run.journal.observer.on('entry', (entry) => {
      try {
        this.#onEntry(entry);
      } catch (error) {
        // The run's own journaling must never fail because of the drill.
        run.journal.write('drill.error', { message: `while observing ${entry.type}: ${(error as Error).message}` });
      }
    });
    run.observer.on('phase', (phase) => this.#onPhase(phase));
    run.observer.on('progress', (progress) => this.#onSample(liveSample(progress, run.viewers, Date.now())));
  }

  /** Timings and SLA verdicts from what has been journaled so far. */
  timings(now = Date.now()): DrillTimings {
    return drillTimings(this.entries, { profiles: this.profiles, now });
  }

  /** Records one person's action (already validated by actionRequestSchema). */
  record(request: ActionRequest): RecordedAction {
    const run = this.#run;
    if (!run) throw new ActionError(409, 'the drill has not started');
    if (this.#ended || this.#journalClosed) throw new ActionError(409, `the drill has ended (${this.#ended?.reason ?? 'run ended'}): actions can no longer be recorded`);
    const opened = this.#ticketViews(Date.now()).map((t) => t.reference);
    const problem = ticketProblem(request, opened);
    if (problem) throw new ActionError(400, `${problem.field}: ${problem.message}`, problem.field);
    const action = incidentAction(request, this.options.vendor, opened);
    const t = Date.now();
    run.journal.write('incident.action', { ...action }, t); // -> #onEntry
    return { ...action, t };
  }

  state(now = Date.now()): ConsoleState {
    const { profile, schedule } = this.options;
    return {
      drill: {
        name: this.options.name,
        description: this.options.description ?? '',
        vendor: this.options.vendor,
        profile: profile
          ? {
              vendor: profile.vendor,
              plan: profile.plan,
              source: profile.source ?? null,
              firstResponse: Object.fromEntries(
                Object.entries(profile.severities).map(([s, target]) => [s, { budgetMs: target.firstResponse, coverage: describeCoverage(target.coverage) }]),
              ) as Record<Severity, { budgetMs: number; coverage: string }>,
            }
          : null,
        timeLimitMs: schedule.timeLimitMs,
        rules: this.detectors.rules,
        replyTags: GENERIC_REPLY_MEANINGS,
      },
      now,
      phase: this.#phase,
      steadyAt: this.#steadyAt,
      endsAt: this.#steadyAt === null ? null : this.#steadyAt + schedule.timeLimitMs,
      ended: this.#ended,
      live: this.#history.at(-1) ?? null,
      alerts: { firing: this.detectors.firing, history: [...this.#alertHistory] },
      timeline: [...this.#actions],
      tickets: this.#ticketViews(now),
    };
  }

  /** The chart points so far (oldest first). */
  history(): LivePoint[] {
    return [...this.#history];
  }

  #onPhase(phase: RunPhase): void {
    const run = this.#run!;
    if (!this.#started) {
      // The first phase comes right after run.start: the drill's entries follow it.
      this.#started = true;
      const { schedule } = this.options;
      run.journal.write('drill.start', {
        seed: schedule.seed,
        slaProfile: this.options.slaProfileFile && basename(this.options.slaProfileFile),
        slaProfileYaml: this.options.slaProfileYaml,
        vendor: this.options.vendor,
        tokenIssuedAt: this.options.tokenIssuedAt,
        timeLimitMs: schedule.timeLimitMs,
        alerts: this.options.alerts,
      });
      // Revealed only in reports: the console never reads this entry.
      run.journal.write('drill.schedule', { seed: schedule.seed, faults: schedule.faults });
    }
    this.#phase = phase;
    if (phase === 'stopping' && !this.#ended) {
      const reason: DrillEndReason = this.#stopRequested
        ? 'resolved'
        : this.options.signal?.aborted
          ? 'interrupted'
          : this.#sawError
            ? 'error'
            : 'time-limit';
      const at = Date.now();
      this.#ended = { at, reason };
      run.journal.write('drill.end', { reason, injected: this.#injected.length, scheduled: this.options.schedule.faults.length }, at);
      this.observer.emit('end', reason);
    }
    this.#emitUpdate(null);
  }

  #onSample(sample: LiveSample): void {
    if (this.#ended) return;
    const { measures, transitions } = this.detectors.update(sample);
    const point: LivePoint = {
      t: sample.t,
      viewers: sample.viewers,
      connected: sample.connected,
      frozen: sample.frozen,
      freezeRatio: measures.freezeRatio,
      audioConcealedRatio: measures.audioConcealedRatio,
      disconnected: sample.disconnectedSince.length,
      disconnectedShare: measures.disconnectedShare,
      unrecovered: measures.unrecovered,
      disconnects: sample.disconnects,
      recoveries: sample.recoveries,
      fps: sample.fps,
      machineBusy: sample.machineBusy,
      sfuCores: sample.sfuCores,
      latencyMs: sample.latencyMs,
    };
    this.#history.push(point);
    if (this.#history.length > HISTORY_POINTS) this.#history.shift();
    for (const transition of transitions) {
      const round = (x: number): number => Math.round(x * 1000) / 1000;
      if (transition.event === 'fire') {
        // The most recent fault whose incident is still open; none before the first fault.
        const faultId = this.#openFault(transition.t);
        this.#run!.journal.write(
          'alert.fire',
          { rule: transition.rule, value: round(transition.value), threshold: transition.threshold, since: transition.since, ...(faultId ? { faultId } : {}) },
          transition.t,
        );
      } else {
        this.#run!.journal.write('alert.resolve', { rule: transition.rule, value: round(transition.value), since: transition.since }, transition.t);
      }
      this.#alertHistory.push({ t: transition.t, rule: transition.rule, event: transition.event, value: transition.value });
      this.observer.emit('alert', transition);
    }
    this.#emitUpdate(point);
  }

  #openFault(now: number): string | undefined {
    const resolved = new Set(this.timings(now).incidents.filter((i) => i.resolvedAt !== null).map((i) => i.incidentId));
    return [...this.#injected].reverse().find((id) => !resolved.has(id));
  }

  #onEntry(entry: JournalEntry): void {
    if (!KEPT.has(entry.type)) return;
    if (this.#journalClosed) return;
    this.entries.push(entry);
    switch (entry.type) {
      case 'fault.inject':
        this.#injected.push(String(entry.faultId));
        return; // hidden: no update, the console must not learn when
      case 'run.steady':
        this.#steadyAt = entry.t;
        this.#emitUpdate(null);
        return;
      case 'run.error':
        this.#sawError = true;
        return;
      case 'run.end':
        this.#journalClosed = true;
        return;
      case 'alert.fire':
        this.#metrics!.alerts.inc({ rule: String(entry.rule) });
        this.#metrics!.observe(this.timings(entry.t));
        return;
      case 'incident.action': {
        const { t, type: _type, ...fields } = entry;
        const action = { ...(fields as unknown as IncidentAction), t };
        this.#actions.push(action);
        this.#metrics!.actions.inc({ action: action.action });
        const timings = this.timings(t);
        this.#metrics!.observe(timings);
        this.observer.emit('action', action);
        if (action.action === 'resolve') this.#checkDone(timings);
        this.#emitUpdate(null);
        return;
      }
    }
  }

  /** Every hidden fault has struck and every incident is resolved: the drill is over. */
  #checkDone(timings: DrillTimings): void {
    const all = this.options.schedule.faults.length;
    if (this.#injected.length < all || timings.incidents.length < all) return;
    if (timings.incidents.every((i) => i.resolvedAt !== null)) {
      this.#stopRequested = true;
      this.#resolveStop('resolved');
    }
  }

  /**
   * Tickets as people opened them, with their SLA clocks. Computed from the
   * actions alone (not from incidents, which would tell whether a fault is on).
   */
  #ticketViews(now: number): TicketView[] {
    const tickets: Ticket[] = [];
    for (const a of this.#actions) {
      if (a.action === 'ticket' && a.ticket) tickets.push(openTicket({ ...a, ticket: a.ticket }));
      else if (TICKET_ACTIONS.includes(a.action)) applyToTicket(tickets, a, 'this drill');
    }
    const profiles = this.profiles;
    return tickets.map((ticket) => {
      const profile = profiles[ticket.vendor];
      const sla = profile ? judgeFirstResponse(profile, ticket, now) : null;
      return { ...ticket, severity: ticket.severityHistory.at(-1)!.severity, sla, progress: ticketProgress(ticket) };
    });
  }

  #emitUpdate(point: LivePoint | null): void {
    this.observer.emit('update', this.state(), point);
  }
}

function describeCoverage(coverage: SlaProfile['coverage']): string {
  if (coverage === '24x7') return '24x7';
  const days = coverage.days.length === 5 && coverage.days.join() === 'mon,tue,wed,thu,fri' ? 'Mon-Fri' : coverage.days.join(',');
  return `${days} ${coverage.from}-${coverage.to} ${coverage.timeZone}`;
}
