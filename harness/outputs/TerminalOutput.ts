import logUpdate from 'log-update';
import type { Run } from '../run/Run.js';
import type { RunOutput } from '../run/output.js';
import { formatProgress } from './terminalFormat.js';

/** How often progress is printed when stdout is not a terminal (a CI log). */
const LOG_EVERY_MS = 5000;

/**
 * The run's phases and live progress on the terminal: one line redrawn in
 * place on a TTY, a line every 5 s otherwise.
 */
export class TerminalOutput implements RunOutput {
  readonly name = 'terminal';
  readonly #live = process.stdout.isTTY === true;

  attach(run: Run): void {
    const live = this.#live;
    let lastPrinted = -Infinity;
    run.observer.on('phase', (phase) => (live ? logUpdate(phase) : console.log(phase)));
    run.observer.on('ready', (urls) => console.log(`signaling ${urls.signaling}  metrics ${urls.metrics}`));
    run.observer.on('progress', (p) => {
      if (live) logUpdate(formatProgress(p));
      else if (p.elapsedMs - lastPrinted >= LOG_EVERY_MS) {
        lastPrinted = p.elapsedMs;
        console.log(formatProgress(p));
      }
    });
  }

  end(): void {
    if (this.#live) logUpdate.done();
  }
}
