/**
 * The drill API's client side, as `livedrill incident` uses it from another
 * process: finds the running drill by its run directory (drill.json and the
 * token) and records actions in it while it runs.
 */
import { join } from 'node:path';
import type { z } from 'zod';
import type { actionRequestSchema, RecordedAction } from './actions.js';
import { DrillRunError, findRunDir, readDrillRun, TOKEN_FILE, type DrillFile } from './runFiles.js';

/** An action as `POST /api/actions` takes it. */
export type ActionInput = z.input<typeof actionRequestSchema>;

export interface RunningDrill {
  runDir: string;
  drill: DrillFile;
  token: string;
}

/** The drill of `run` (a run directory, or its id under runs/), running or ended; a DrillRunError says why not. */
export function findDrill(run: string): RunningDrill {
  const runDir = findRunDir(run);
  const { drill, token } = readDrillRun(runDir);
  return { runDir, drill, token };
}

/** Records the action through the drill's API; every refusal is a DrillRunError. */
export async function recordAction({ runDir, drill, token }: RunningDrill, action: ActionInput): Promise<RecordedAction> {
  const url = `${drill.apiUrl}/actions`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(action),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
    throw new DrillRunError(
      `cannot reach the drill API at ${url} (${cause?.code ?? cause?.message ?? (error as Error).message}): is the drill in ${runDir} still running?`,
    );
  }
  const data = (await res.json().catch(() => ({}))) as { error?: string; recorded?: RecordedAction };
  if (res.status === 401) throw new DrillRunError(`the drill API refused the token in ${join(runDir, TOKEN_FILE)}: ${data.error ?? 'unauthorized'}`);
  if (!res.ok || !data.recorded) throw new DrillRunError(data.error ?? `the drill API answered HTTP ${res.status}`);
  return data.recorded;
}
