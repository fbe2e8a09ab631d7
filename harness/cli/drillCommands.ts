/**
 * `livedrill drill` (run an outage drill with its console) and
 * `livedrill incident <action>` (record an action in a running drill through
 * its HTTP API).
 */
import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import logUpdate from 'log-update';
import { Drill, type DrillOptions } from '../drill/Drill.js';
import type { DrillSession, LivePoint } from '../drill/DrillSession.js';
import { findRunningDrill, recordAction, type ActionInput } from '../drill/apiClient.js';
import { formatDrillTimings, formatSpan } from '../drill/format.js';
import { INCIDENT_ACTIONS, type IncidentActionKind } from '../drill/metrics.js';
import { DrillRunError } from '../drill/runFiles.js';
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
    .description('record an action in a running drill (through its HTTP API)')
    .addArgument(new Argument('<action>', 'what was done').choices(INCIDENT_ACTIONS))
    .requiredOption('--run <dir>', 'the drill\'s run directory, or its id under runs/')
    .requiredOption('--who <name>', 'who did it')
    .option('--vendor <name>', "ticket: the vendor (default: the drill's vendor)")
    .addOption(new Option('--severity <severity>', 'ticket, reclassify: the severity').choices(SEVERITIES))
    .option('--channel <channel>', 'ticket: how it was raised (portal, email, phone, chat...)')
    .option('--reference <ref>', "ticket: the vendor's ticket number; vendor-reply, reclassify: which ticket (default: the latest)")
    .option('--text <text>', 'what was seen or done (required for note)')
    .option('--incident <id>', 'the incident this is about, when known')
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
  const drill = findRunningDrill(opts.run);
  const need = <F extends keyof IncidentOptions>(flag: F, why: string): NonNullable<IncidentOptions[F]> => {
    const value = opts[flag];
    if (value === undefined || value === '') throw new DrillRunError(`--${flag} is required ${why}`);
    return value as NonNullable<IncidentOptions[F]>;
  };
  const notFor = (flags: Array<keyof IncidentOptions>): void => {
    for (const flag of flags) if (opts[flag] !== undefined) throw new DrillRunError(`--${flag} does not apply to ${action}`);
  };
  const body: ActionInput = { action, who: opts.who, source: 'cli' };
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
  if (opts.text !== undefined) body.text = opts.text;
  if (opts.incident !== undefined) body.incidentId = opts.incident;

  const recorded = await recordAction(drill, body);
  console.log(`recorded: ${recorded.who} ${recorded.action} at ${new Date(recorded.t).toISOString()}`);
}
