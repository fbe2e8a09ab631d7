import logUpdate from 'log-update';
import type { Run } from '../run/Run.js';
import { exitWithOutcome } from './exitCodes.js';
import { formatProgress, formatSummary } from './format.js';
import { abortOnStopSignal } from './stopSignals.js';

/**
 * Runs a Run in the foreground: live progress on a terminal (a line every
 * 5 s otherwise), Ctrl-C / SIGTERM / SIGHUP stop it cleanly (summary still written),
 * the summary table at the end, exit code 1 when it did not pass.
 */
export async function executeInForeground(run: Run): Promise<void> {
  const abort = new AbortController();
  abortOnStopSignal(abort, 'stopping, writing the summary…');

  const live = process.stdout.isTTY;
  let lastPrinted = -Infinity;
  run.observer.on('phase', (phase) => (live ? logUpdate(phase) : console.log(phase)));
  run.observer.on('ready', (urls) => console.log(`signaling ${urls.signaling}  metrics ${urls.metrics}`));
  run.observer.on('progress', (p) => {
    if (live) logUpdate(formatProgress(p));
    else if (p.elapsedMs - lastPrinted >= 5000) {
      lastPrinted = p.elapsedMs;
      console.log(formatProgress(p));
    }
  });
  const summary = await run.execute(abort.signal);
  if (live) logUpdate.done();
  console.log(formatSummary(summary, run.summaryFile));
  exitWithOutcome(summary.pass);
}
