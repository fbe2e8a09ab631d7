/**
 * Ctrl-C, SIGTERM and a closed terminal (SIGHUP) all stop a run or a drill
 * the same way: cleanly, with every result written. The first one counts.
 */
export function abortOnStopSignal(abort: AbortController, saying: string): void {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      if (abort.signal.aborted) return;
      console.error(`\n${signal}: ${saying}`);
      abort.abort();
    });
  }
}
