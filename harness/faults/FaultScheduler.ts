import { TypedEmitter } from '../../common/TypedEmitter.js';
import type { FaultContext, FaultOutcome, InjectedFault } from './Fault.js';
import { injectFault } from './kinds.js';
import { faultDuration, faultIdOf, type FaultKind, type FaultSpec } from '../scenario/faults.js';

/** A fault as it struck: the ground truth its observers journal. */
export interface InjectedRecord {
  faultId: string;
  kind: FaultKind;
  /** Epoch ms. */
  start: number;
  scheduledEnd: number;
  /** Viewer ids, or "publisher", or "worker:N", or "signaling". */
  targets: string[];
  params: Record<string, unknown>;
}

export type RevertReason = 'scheduled' | 'interrupted' | 'run-ended';

export type FaultEvents = {
  inject: [fault: InjectedRecord];
  /** Its actual end; `error` when the revert failed (the run fails too), else what the fault did as the harness counted it. */
  revert: [fault: InjectedRecord, end: number, reason: RevertReason, error?: string, outcome?: FaultOutcome];
  /** It could not be injected (the run fails). */
  error: [faultId: string, kind: FaultKind, message: string];
};

interface Active {
  record: InjectedRecord;
  injected: InjectedFault;
  timer?: NodeJS.Timeout;
}

/**
 * Injects the scenario's faults at their times and reverts them at their
 * ends, telling its observer the ground truth (exact start and end, targets,
 * parameters) for the run to journal. Revert always runs: on schedule, on
 * Ctrl-C, when the run fails. A fault that cannot be injected fails the run
 * (`failed` rejects): it is never silently skipped.
 */
export class FaultScheduler {
  readonly observer = new TypedEmitter<FaultEvents>();
  readonly failed: Promise<never>;
  #fail!: (error: Error) => void;
  readonly #pending = new Set<NodeJS.Timeout>();
  /** Keyed by injection, not by id: every inject gets its own revert. */
  readonly #active = new Set<Active>();
  readonly #reverting = new Set<Promise<void>>();
  #stopped = false;
  #ctx: FaultContext | undefined;

  constructor(private readonly specs: FaultSpec[]) {
    this.failed = new Promise<never>((_, reject) => (this.#fail = reject));
    this.failed.catch(() => {}); // observed by the run; never an unhandled rejection
  }

  /** Schedules every fault relative to `t0` (the start of the steady broadcast). */
  start(ctx: FaultContext, t0: number): void {
    this.#ctx = ctx;
    this.specs.forEach((spec, i) => {
      const faultId = faultIdOf(spec, i);
      const timer = setTimeout(() => {
        this.#pending.delete(timer);
        void this.#inject(faultId, spec);
      }, Math.max(0, t0 + spec.at - Date.now()));
      this.#pending.add(timer);
    });
  }

  async #inject(faultId: string, spec: FaultSpec): Promise<void> {
    if (this.#stopped) return;
    const start = Date.now();
    let injected: InjectedFault;
    try {
      injected = await injectFault(spec, this.#ctx!);
    } catch (error) {
      const message = `fault ${faultId} (${spec.kind}) could not be injected: ${(error as Error).message}`;
      this.observer.emit('error', faultId, spec.kind, message);
      this.#fail(new Error(message));
      return;
    }
    const duration = faultDuration(spec);
    const { kind: _kind, at: _at, id: _id, ...params } = spec as FaultSpec & { id?: string };
    const record: InjectedRecord = { faultId, kind: spec.kind, start, scheduledEnd: start + duration, targets: injected.targets, params };
    this.observer.emit('inject', record);
    const active: Active = { record, injected };
    this.#active.add(active);
    if (this.#stopped) {
      await this.#revert(active, 'interrupted');
      return;
    }
    active.timer = setTimeout(() => void this.#revert(active, 'scheduled'), duration);
  }

  #revert(active: Active, reason: RevertReason): Promise<void> {
    if (!this.#active.delete(active)) return Promise.resolve();
    clearTimeout(active.timer);
    const end = Date.now();
    const done = active.injected
      .revert()
      .then(
        (outcome) => void this.observer.emit('revert', active.record, end, reason, undefined, outcome ?? undefined),
        (error: Error) => {
          this.observer.emit('revert', active.record, end, reason, error.message);
          this.#fail(new Error(`fault ${active.record.faultId} could not be reverted: ${error.message}`));
        },
      )
      .finally(() => this.#reverting.delete(done));
    this.#reverting.add(done);
    return done;
  }

  /** Faults injected and not reverted yet. */
  get activeCount(): number {
    return this.#active.size;
  }

  /** Cancels what has not struck yet and reverts what is active, waiting for every revert. */
  async stop(reason: Exclude<RevertReason, 'scheduled'>): Promise<void> {
    this.#stopped = true;
    for (const timer of this.#pending) clearTimeout(timer);
    this.#pending.clear();
    await Promise.allSettled([...this.#active].map((a) => this.#revert(a, reason)));
    await Promise.allSettled([...this.#reverting]);
  }
}
