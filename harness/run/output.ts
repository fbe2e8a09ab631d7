import type { Run } from './Run.js';
import type { RunSummary } from './summary.js';

/**
 * Where a run's results stream (k6's outputs): Prometheus, the terminal, a
 * JUnit file... An output subscribes to the run's typed events (`run.observer`,
 * and the journal's entries on `run.journal.observer`) when attached, before
 * the run starts, and is told the summary at the end. Adding one is a new
 * module and a line where the run is launched; `Run` does not change.
 * An output that throws is journaled (`output.error`) and never breaks the run.
 */
export interface RunOutput {
  readonly name: string;
  attach(run: Run): void;
  /** The run is over and its summary written: flush, write files, release. */
  end?(summary: RunSummary): void | Promise<void>;
}
