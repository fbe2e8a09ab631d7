/**
 * How every livedrill command ends, in one place. 0: done (and a run, merge
 * or drill passed its thresholds); 1: a run did not pass, or something failed
 * that is no fault of the input; 2: the input is wrong and nothing was run.
 * Usage errors (an unknown flag, a missing argument) are commander's: 1.
 */
import { DrillRunError } from '../drill/runFiles.js';
import { RunDirError } from '../journal/Journal.js';
import { ScenarioError } from '../scenario/load.js';

const PASSED = 0;
const NOT_PASSED = 1;
/** A fault of livedrill's own (a bug, a crash of something it runs): the message, and the stack with LIVEDRILL_DEBUG. */
const INTERNAL_ERROR = 1;

interface ErrorExit {
  error: abstract new (...args: never[]) => Error;
  code: number;
  reason: string;
  /** The message does not say which command it is about, so it is printed after the command's name. */
  named?: true;
}

/** Errors that say what the operator must change; their message is the whole report. */
const ERROR_EXITS: readonly ErrorExit[] = [
  { error: ScenarioError, code: 2, reason: 'a scenario, SLA profile or flag value is invalid: it names the file and field' },
  { error: RunDirError, code: 2, reason: 'a run directory cannot be read (report, merge)' },
  { error: DrillRunError, code: 1, reason: 'no running drill took the action (not a drill run, ended, unreachable or refused)', named: true },
];

/** Ends the command with the code of a run's outcome. */
export function exitWithOutcome(pass: boolean): void {
  process.exitCode = pass ? PASSED : NOT_PASSED;
}

/** Says what went wrong and sets the exit code from the table; `command` is what was run, e.g. "livedrill incident ack". */
export function exitWithError(error: unknown, command: string): void {
  const known = ERROR_EXITS.find((e) => error instanceof e.error);
  if (known) {
    console.error(known.named ? `${command}: ${(error as Error).message}` : (error as Error).message);
    process.exitCode = known.code;
    return;
  }
  console.error(`livedrill: ${error instanceof Error ? error.message : String(error)}`);
  if (process.env.LIVEDRILL_DEBUG) console.error(error);
  else console.error('(set LIVEDRILL_DEBUG=1 to see where it came from)');
  process.exitCode = INTERNAL_ERROR;
}
