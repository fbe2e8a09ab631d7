/**
 * How other commands find a running drill: `<run dir>/drill.json` (where the
 * console and API listen) and `<run dir>/.token` (the API token, mode 0600).
 * The token is never written anywhere else, and never to the journal.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const DRILL_FILE = 'drill.json';
export const TOKEN_FILE = '.token';

export interface DrillFile {
  /** The console page, without the token. */
  consoleUrl: string;
  /** Base of the HTTP API: `${apiUrl}/actions`, `${apiUrl}/state`. */
  apiUrl: string;
  /** Absolute. */
  runDir: string;
  pid: number;
  startedAt: string;
  metricsUrl: string | null;
  /** Set when the drill is over; actions are refused from then on. */
  endedAt: string | null;
  endReason: string | null;
}

/** A drill run directory that cannot be used; the message says which file and why. */
export class DrillRunError extends Error {}

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

export function writeToken(runDir: string, token: string): void {
  const file = join(runDir, TOKEN_FILE);
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600); // mode only applies when the file is created
}

export function writeDrillFile(runDir: string, drill: DrillFile): void {
  const file = join(runDir, DRILL_FILE);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(drill, null, 2)}\n`);
  renameSync(`${file}.tmp`, file); // readers never see half a file
}

/** A run directory given as a path, or as the id of one under runs/. */
export function findRunDir(run: string, runsDir = 'runs'): string {
  for (const candidate of [run, join(runsDir, run)]) {
    if (existsSync(candidate) && statSync(candidate).isDirectory()) return resolve(candidate);
  }
  throw new DrillRunError(`${run}: no such run directory (nor ${join(runsDir, run)})`);
}

export function readDrillRun(runDir: string): { drill: DrillFile; token: string } {
  const drillFile = join(runDir, DRILL_FILE);
  if (!existsSync(drillFile)) {
    throw new DrillRunError(`${drillFile}: missing: ${runDir} is not a drill run (livedrill drill writes ${DRILL_FILE} when it starts)`);
  }
  let drill: DrillFile;
  try {
    drill = JSON.parse(readFileSync(drillFile, 'utf8')) as DrillFile;
    if (typeof drill.apiUrl !== 'string') throw new Error('no apiUrl');
  } catch (error) {
    throw new DrillRunError(`${drillFile}: not a livedrill drill file: ${(error as Error).message}`);
  }
  const tokenFile = join(runDir, TOKEN_FILE);
  let token: string;
  try {
    token = readFileSync(tokenFile, 'utf8').trim();
  } catch (error) {
    throw new DrillRunError(`${tokenFile}: cannot read the drill's API token: ${(error as Error).message}`);
  }
  if (!token) throw new DrillRunError(`${tokenFile}: empty: no API token`);
  return { drill, token };
}
