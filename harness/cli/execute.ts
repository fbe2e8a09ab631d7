import type { Run } from '../run/Run.js';
import { exitWithOutcome } from './exitCodes.js';
import { formatSummary } from '../outputs/terminalFormat.js';
import { abortOnStopSignal } from './stopSignals.js';

/**
 * Runs a Run in the foreground: Ctrl-C / SIGTERM / SIGHUP stop it cleanly
 * (summary still written), the summary table at the end, exit code 1 when it
 * did not pass. Progress goes to the run's outputs (the terminal among them).
 */
export async function executeInForeground(run: Run): Promise<void> {
  const abort = new AbortController();
  abortOnStopSignal(abort, 'stopping, writing the summary…');
  const summary = await run.execute(abort.signal);
  console.log(formatSummary(summary, run.summaryFile));
  exitWithOutcome(summary.pass);
}
