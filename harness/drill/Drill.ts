/**
 * An outage drill from start to end: the broadcast (a Run whose faults are
 * hidden), the DrillSession beside it, the console and its API, and the run
 * directory's drill.json and token, by which `livedrill incident` finds it.
 * The drill.json says where the console listens, then where the metrics do,
 * then when and why the drill ended; the console closes when it ends.
 */
import { join, resolve } from 'node:path';
import { Run } from '../run/Run.js';
import { PrometheusOutput } from '../outputs/PrometheusOutput.js';
import { defaultRunDir } from '../run/launch.js';
import type { RunSummary } from '../run/summary.js';
import { ConsoleServer } from './ConsoleServer.js';
import { DrillSession, type DrillEndReason } from './DrillSession.js';
import { loadDrill, type LoadedDrill } from './load.js';
import { newToken, TOKEN_FILE, writeDrillFile, writeToken, type DrillFile } from './runFiles.js';
import type { DrillTimings } from './timings.js';

export interface DrillOptions {
  /** Default: runs/<time>-<scenario name>. */
  out?: string;
  /** Where signaling and /metrics listen. */
  host: string;
  port: number;
  /** Where the console and its API listen. */
  consoleHost: string;
  consolePort: number;
  /** Default: the scenario's drill.seed, else random. */
  seed?: number;
  /** Aborted, the drill ends as interrupted, with everything recorded so far. */
  signal: AbortSignal;
}

export interface DrillOutcome {
  summary: RunSummary;
  endReason: string;
  timings: DrillTimings;
  /** When the steady broadcast started: the drill clock's zero. */
  steadyAt: number | null;
}

export class Drill {
  private constructor(
    readonly loaded: LoadedDrill,
    readonly outDir: string,
    readonly token: string,
    readonly run: Run,
    readonly session: DrillSession,
    private readonly server: ConsoleServer,
    private readonly file: DrillFile,
    private readonly signal: AbortSignal,
  ) {}

  /** Loads the drill scenario (a ScenarioError says what is wrong with it), then starts the console; the broadcast starts with `execute()`. */
  static async start(scenarioFile: string, options: DrillOptions): Promise<Drill> {
    const loaded = await loadDrill(scenarioFile, { seed: options.seed });
    const { schedule, source } = loaded;
    const outDir = options.out ?? defaultRunDir(source.name);
    const token = newToken();
    const session = new DrillSession({
      name: source.name,
      description: source.description,
      schedule,
      alerts: loaded.drill.alerts,
      vendor: loaded.vendor,
      profile: loaded.profile,
      slaProfileFile: loaded.slaProfileFile,
      slaProfileYaml: loaded.slaProfileYaml,
      tokenIssuedAt: Date.now(),
      signal: options.signal,
    });
    const run = new Run({
      outputs: [new PrometheusOutput()],
      scenario: schedule.scenario,
      scenarioFile,
      outDir,
      host: options.host,
      port: options.port,
      stopWhen: session.stopWhen,
      hideFaults: true,
    });
    session.attach(run);
    writeToken(outDir, token);
    const server = await ConsoleServer.start(session, { host: options.consoleHost, port: options.consolePort, token });
    const file: DrillFile = {
      consoleUrl: server.url,
      apiUrl: server.apiUrl,
      runDir: resolve(outDir),
      pid: process.pid,
      startedAt: new Date().toISOString(),
      metricsUrl: null,
      endedAt: null,
      endReason: null,
    };
    writeDrillFile(outDir, file);
    run.observer.on('ready', (urls) => {
      file.metricsUrl = urls.metrics;
      writeDrillFile(outDir, file);
    });
    return new Drill(loaded, outDir, token, run, session, server, file, options.signal);
  }

  get consoleUrl(): string {
    return this.server.url;
  }

  get apiUrl(): string {
    return this.server.apiUrl;
  }

  get tokenFile(): string {
    return join(this.outDir, TOKEN_FILE);
  }

  get journalFile(): string {
    return join(this.outDir, 'journal.jsonl');
  }

  /** Broadcasts until every incident is resolved, the time limit or the signal; the console closes at the end. */
  async execute(): Promise<DrillOutcome> {
    let reason: DrillEndReason | null = null;
    this.session.observer.on('end', (r) => (reason = r));
    let summary: RunSummary;
    try {
      summary = await this.run.execute(this.signal);
    } finally {
      this.file.endedAt = new Date().toISOString();
      this.file.endReason = reason ?? this.session.ended?.reason ?? 'ended';
      writeDrillFile(this.outDir, this.file);
      await this.server.close();
    }
    return {
      summary,
      endReason: this.file.endReason,
      timings: this.session.timings(this.session.ended?.at ?? Date.now()),
      steadyAt: this.session.state().steadyAt,
    };
  }
}
