import type { Scenario } from '../scenario/schema.js';
import type { RunOutput } from './output.js';

export interface RunOptions {
  scenario: Scenario;
  scenarioFile: string;
  outDir: string;
  /** Where /metrics and signaling listen; loopback unless told otherwise. */
  host?: string;
  /** Signaling token (required by the SFU beyond loopback). */
  token?: string;
  port?: number;
  /** Ends the broadcast early, as a normal end (a drill resolved before its time limit). */
  stopWhen?: Promise<unknown>;
  /**
   * What this process runs: everything (default); only the SFU with the
   * publisher and the faults ('sfu'); or only viewers against a remote SFU
   * ('viewers', one shard of a run spread over machines).
   */
  role?: RunRole;
  /** For 'viewers': the SFU's signaling URL. */
  signalingUrl?: string;
  /** For 'viewers': which shard this is; on every journal line and metric. */
  shard?: { index: number; count: number };
  /** For 'viewers': port of this shard's own /metrics. */
  metricsPort?: number;
  /** For 'viewers': the address synthetic viewers receive RTP on (one the SFU can reach). */
  receiveIp?: string;
  /** For 'sfu': how many shard viewers must be watching before the steady broadcast (and the fault clock) starts. */
  expectViewers?: number;
  /** Where results stream besides the journal and summary.json (Prometheus, the terminal, JUnit...). */
  outputs?: RunOutput[];
  /**
   * A drill: the fault schedule must stay unknown while it runs, so no fault
   * metrics are exported and run.start carries no fault times (the journal
   * still records each fault as it strikes).
   */
  hideFaults?: boolean;
}

export type RunRole = 'all' | 'sfu' | 'viewers';
