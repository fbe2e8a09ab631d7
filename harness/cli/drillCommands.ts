/**
 * `livedrill drill` (run an outage drill with its console) and
 * `livedrill incident <action>` (record an action in a running drill through
 * its HTTP API, or a ticket follow-up in an ended one: drill/followUp.ts).
 */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import logUpdate from 'log-update';
import { Drill, type DrillOptions } from '../drill/Drill.js';
import type { DrillSession, LivePoint } from '../drill/DrillSession.js';
import { findDrill, recordAction, type ActionInput } from '../drill/apiClient.js';
import { actionRequestSchema, FIX_KINDS, GENERIC_REPLY_TAGS } from '../drill/actions.js';
import { recordFollowUp } from '../drill/followUp.js';
import { describeIssues } from '../../common/validation.js';
import { formatDrillTimings, formatSpan } from '../drill/format.js';
import { INCIDENT_ACTIONS, VENDOR_ACTIONS, type IncidentActionKind } from '../drill/metrics.js';
import { DrillRunError, findRunDir } from '../drill/runFiles.js';
import { SEVERITIES, type Severity } from '../drill/slaProfile.js';
import { exitWithOutcome } from './exitCodes.js';
import { formatSummary } from '../outputs/terminalFormat.js';
import { abortOnStopSignal } from './stopSignals.js';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number from 0 to 65535 (0: any free port)');
  return n;
}

function seed(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 0xffff_ffff) throw new InvalidArgumentError('expected an integer from 0 to 4294967295');
  return n;
}

interface IncidentOptions {
  run: string;
  who: string;
  vendor?: string;
  severity?: Severity;
  channel?: string;
  reference?: string;
  text?: string;
  incident?: string;
  tag?: string[];
  contact?: string;
  rootCause?: boolean;
  fix?: string;
  verifiedBy?: string;
}

export function registerDrillCommands(program: Command): void {
  program
    .command('drill')
    .description('run an outage drill: hidden faults, a live console for the people on call, their actions timed against the vendor SLA')
    .argument('<scenario>', 'drill scenario YAML (a scenario with a drill: section)')
    .option('--out <dir>', 'output directory (default: runs/<time>-<scenario name>)')
    .addOption(new Option('--host <address>', 'address for signaling and /metrics').default('127.0.0.1'))
    .addOption(new Option('--port <port>', 'port for signaling and /metrics (0: any free port)').default(0).argParser(port))
    .addOption(new Option('--console-host <address>', 'address of the drill console and its API').default('127.0.0.1'))
    .addOption(new Option('--console-port <port>', 'port of the drill console and its API (0: any free port)').default(0).argParser(port))
    .addOption(new Option('--seed <n>', "seed of the hidden schedule (default: the scenario's drill.seed, else random)").argParser(seed))
    .action((file: string, opts: Omit<DrillOptions, 'signal'>) => runDrill(file, opts));

  program
    .command('incident')
    .description('record an action in a drill: through its HTTP API while it runs; after it ended, ticket follow-ups and notes go to its journal')
    .addArgument(new Argument('<action>', 'what was done').choices(INCIDENT_ACTIONS))
    .requiredOption('--run <dir>', 'the drill\'s run directory, or its id under runs/')
    .requiredOption('--who <name>', 'who did it')
    .option('--vendor <name>', "ticket: the vendor (default: the drill's vendor)")
    .addOption(new Option('--severity <severity>', 'ticket, reclassify: the severity').choices(SEVERITIES))
    .option('--channel <channel>', 'ticket: how it was raised (portal, email, phone, chat...)')
    .option('--reference <ref>', "ticket: the vendor's ticket number; vendor-*, fix-verified, reopen, reclassify: which ticket (default: the latest)")
    .option('--text <text>', 'what was seen or done (required for note; for vendor-ask, what the vendor asked)')
    .option('--incident <id>', 'the incident this is about, when known')
    .addOption(new Option('--tag <tags...>', 'vendor-*: the reply was generic').choices(GENERIC_REPLY_TAGS))
    .option('--contact <name>', "vendor-*: the vendor's person who answered, by name")
    .option('--root-cause', 'vendor-diagnosis: the vendor named the root cause')
    .option('--no-root-cause', 'vendor-diagnosis: the vendor named no root cause')
    .addOption(new Option('--fix <kind>', 'vendor-fix: a fix of the cause, or a workaround').choices(FIX_KINDS))
    .option('--verified-by <run>', 'fix-verified: the re-run (its directory, or id under runs/) that shows the fault no longer hurts')
    .action((action: IncidentActionKind, opts: IncidentOptions) => recordIncident(action, opts));
}

/** The drill in the foreground: what to open and type first, live lines while it runs, the revealed schedule and timings at the end. */
async function runDrill(file: string, opts: Omit<DrillOptions, 'signal'>): Promise<void> {
  const abort = new AbortController();
  const drill = await Drill.start(file, { ...opts, signal: abort.signal });
  abortOnStopSignal(abort, 'stopping the drill; everything recorded so far stays in the journal…');
  const { loaded, session, run, outDir } = drill;
  const { schedule, source } = loaded;

  const faults = schedule.faults.length;
  console.log(`drill ${source.name}: ${faults} hidden fault${faults === 1 ? '' : 's'}, time limit ${formatSpan(schedule.timeLimitMs)}`);
  console.log(`vendor ${loaded.vendor}; SLA ${loaded.profile ? `${loaded.profile.vendor} ${loaded.profile.plan} (${loaded.slaProfileFile})` : 'none'}`);
  console.log(`console  ${drill.consoleUrl}#token=${drill.token}`);
  console.log(`api      ${drill.apiUrl}  (Authorization: Bearer <the token in ${drill.tokenFile}>)`);
  console.log(`record   npx livedrill incident ack --run ${outDir} --who <name>`);

  const live = process.stdout.isTTY;
  let lastPrinted = 0;
  const print = (line: string): void => {
    if (live) logUpdate.clear();
    console.log(line);
  };
  run.observer.on('phase', (phase) => (live ? logUpdate(phase) : console.log(phase)));
  run.observer.on('ready', (urls) => print(`signaling ${urls.signaling}  metrics ${urls.metrics}`));
  session.observer.on('alert', (a) => print(`${clockOf(session, a.t)} ALERT ${a.event === 'fire' ? 'FIRING' : 'resolved'}: ${a.rule} (${session.detectors.describe(a.rule)}; now ${(a.value * (a.rule === 'unrecovered' ? 1 : 100)).toFixed(a.rule === 'unrecovered' ? 0 : 1)}${a.rule === 'unrecovered' ? ' viewers' : '%'})`));
  session.observer.on('action', (a) => print(`${clockOf(session, a.t)} ${a.who}: ${a.action}${a.ticket ? ` ${a.ticket.vendor} ${a.ticket.reference} ${a.ticket.severity}` : ''}${a.severity ? ` -> ${a.severity}` : ''}${a.text ? ` — ${a.text}` : ''}`));
  session.observer.on('update', (state, point) => {
    if (!point) return;
    const line = formatLive(point, state.endsAt, state.alerts.firing.map((f) => f.rule));
    if (live) logUpdate(line);
    else if (point.t - lastPrinted >= 5000) {
      lastPrinted = point.t;
      console.log(line);
    }
  });

  const { summary, endReason, timings, steadyAt } = await drill.execute();
  if (live) logUpdate.done();
  console.log(formatSummary(summary, run.summaryFile));
  console.log('');
  console.log(formatDrillTimings(timings, { steadyAt, schedule: schedule.faults, endReason }));
  console.log(`\njournal ${drill.journalFile}`);
  exitWithOutcome(summary.pass);
}

function clockOf(session: DrillSession, t: number): string {
  const steadyAt = session.state().steadyAt;
  return steadyAt === null ? new Date(t).toISOString().slice(11, 19) : `T+${formatSpan(t - steadyAt)}`;
}

/** The live line: what the console shows, never which fault is on. */
function formatLive(p: LivePoint, endsAt: number | null, firing: string[]): string {
  const left = endsAt === null ? '' : `${formatSpan(Math.max(0, endsAt - p.t))} left  `;
  const cpu = p.machineBusy === null ? '' : `  cpu ${(p.machineBusy * 100).toFixed(0)}%`;
  return (
    `${left}viewers ${p.connected}/${p.viewers} connected  frozen ${p.frozen}  audio concealed ${(p.audioConcealedRatio * 100).toFixed(1)}%  ` +
    `disconnected ${p.disconnected}  fps ${p.fps.toFixed(1)}${cpu}  alerts: ${firing.length > 0 ? firing.join(', ') : 'none'}`
  );
}

/** The action as the API takes it, from the flags that apply to it. */
async function recordIncident(action: IncidentActionKind, opts: IncidentOptions): Promise<void> {
  const drill = findDrill(opts.run);
  const body = incidentBody(action, opts);
  if (drill.drill.endedAt) {
    // The broadcast is over; a ticket's follow-ups are appended to its journal.
    const parsed = actionRequestSchema.safeParse(body);
    if (!parsed.success) throw new DrillRunError(describeIssues(`livedrill incident ${action}`, parsed.error));
    const ended = `at ${drill.drill.endedAt} (${drill.drill.endReason ?? 'ended'})`;
    const recorded = recordFollowUp(drill.runDir, parsed.data, ended);
    console.log(`recorded after the drill (ended ${drill.drill.endedAt}): ${recorded.who} ${recorded.action}${recorded.reference ? ` on ${recorded.reference}` : ''} at ${new Date(recorded.t).toISOString()}`);
    return;
  }
  const recorded = await recordAction(drill, body);
  console.log(`recorded: ${recorded.who} ${recorded.action} at ${new Date(recorded.t).toISOString()}`);
}

/** The API request for an action from the command line's flags; flags an action needs or does not take are said by name. */
function incidentBody(action: IncidentActionKind, opts: IncidentOptions): ActionInput {
  const need = (flag: keyof IncidentOptions, why: string): string => {
    const value = opts[flag];
    if (value === undefined || value === '') throw new DrillRunError(`--${kebab(flag)} is required ${why}`);
    return String(value);
  };
  const notFor = (flags: Array<keyof IncidentOptions>): void => {
    for (const flag of flags) if (opts[flag] !== undefined) throw new DrillRunError(`--${kebab(flag)} does not apply to ${action}`);
  };
  const body: Record<string, unknown> = { action, who: opts.who, source: 'cli' };
  if (action === 'ticket') {
    body.ticket = {
      ...(opts.vendor !== undefined ? { vendor: opts.vendor } : {}),
      severity: need('severity', 'to open a ticket (P1-P4)'),
      channel: need('channel', 'to open a ticket (portal, email, phone, chat...)'),
      reference: need('reference', "to open a ticket (the vendor's ticket number)"),
    };
  } else {
    notFor(['vendor', 'channel']);
    if (action === 'reclassify') body.severity = need('severity', 'to reclassify (the new severity, P1-P4)');
    else notFor(['severity']);
    if (opts.reference !== undefined) body.reference = opts.reference;
  }
  if (action === 'note') need('text', 'for a note');
  if (action === 'vendor-ask') need('text', 'for a vendor-ask (what the vendor asked for)');
  if (!(VENDOR_ACTIONS as readonly string[]).includes(action)) notFor(['tag', 'contact']);
  if (action === 'vendor-diagnosis') {
    if (opts.rootCause === undefined) throw new DrillRunError('--root-cause or --no-root-cause is required for a vendor-diagnosis (did the vendor name the root cause?)');
    body.rootCause = opts.rootCause;
  } else notFor(['rootCause']);
  if (action === 'vendor-fix') body.fix = need('fix', 'for a vendor-fix (fix or workaround)');
  else notFor(['fix']);
  if (action === 'fix-verified') body.verifiedBy = rerunId(need('verifiedBy', 'for fix-verified (the re-run that shows the fault no longer hurts)'));
  else notFor(['verifiedBy']);
  if (opts.tag !== undefined) body.tags = opts.tag;
  if (opts.contact !== undefined) body.contact = opts.contact;
  if (opts.text !== undefined) body.text = opts.text;
  if (opts.incident !== undefined) body.incidentId = opts.incident;
  return body as ActionInput;
}

const kebab = (flag: string): string => flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The re-run's id (its directory's name, as `livedrill vendors` finds it), once it is known to be a run. */
function rerunId(run: string): string {
  let dir: string;
  try {
    dir = findRunDir(run);
  } catch (error) {
    throw new DrillRunError(`--verified-by: ${(error as Error).message}`);
  }
  if (!existsSync(join(dir, 'journal.jsonl'))) throw new DrillRunError(`--verified-by: ${dir} holds no journal.jsonl: not a livedrill run directory`);
  return basename(dir);
}
