/**
 * Ctrl-C, SIGTERM and a closed terminal (SIGHUP) all stop a run the same
 * way: cleanly, with every result written. The first one counts.
 */
export function onStopSignal(stop: (signal: NodeJS.Signals) => void): void {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => stop(signal));
}
