import { spawn, type ChildProcess } from 'node:child_process';

const STOP_GRACE_MS = 2000;
const LOG_TAIL_LINES = 40;

/**
 * A child process livedrill starts and must never leave behind (coturn, the
 * app under test's server): the kernel kills it when livedrill dies, even by
 * SIGKILL (setpriv --pdeathsig), and it has a process group of its own, as
 * the SFU's workers do, so a terminal's Ctrl-C reaches livedrill, which stops
 * it (and everything it started). The last lines of its output are kept for
 * error messages.
 */
export class OwnedProcess {
  readonly #child: ChildProcess;
  readonly exited: Promise<void>;
  readonly #log: string[] = [];
  #stopping: Promise<void> | undefined;

  /**
   * @param options.deathSignal what the kernel sends it when livedrill dies (default KILL;
   *   TERM for a shell that passes it on to what it started)
   */
  constructor(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; deathSignal?: 'KILL' | 'TERM' } = {}) {
    const { deathSignal = 'KILL', ...spawnOptions } = options;
    this.#child = spawn('setpriv', ['--pdeathsig', deathSignal, '--', command, ...args], { ...spawnOptions, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const keep = (chunk: Buffer): void => {
      this.#log.push(...chunk.toString().split('\n').filter((line) => line.trim() !== ''));
      this.#log.splice(0, Math.max(0, this.#log.length - LOG_TAIL_LINES));
    };
    this.#child.stdout!.on('data', keep);
    this.#child.stderr!.on('data', keep);
    this.exited = new Promise<void>((resolve) => this.#child.once('close', () => resolve()));
    this.#child.on('error', (error) => this.#log.push(`could not start ${command}: ${error.message}`));
    // A crash of livedrill (an exception, process.exit) still runs this: the group goes too.
    process.once('exit', this.#killGroup);
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Why it ended, for messages: its exit code or signal. */
  get ended(): string {
    return `exited with ${this.#child.exitCode ?? this.#child.signalCode}`;
  }

  get logTail(): string {
    return this.#log.join('\n');
  }

  readonly #killGroup = (): void => {
    try {
      if (this.#child.pid) process.kill(-this.#child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };

  /** SIGTERM to the whole group, SIGKILL if it has not exited after a short wait; resolves once it has. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      process.removeListener('exit', this.#killGroup);
      if (!this.#child.pid || !this.running) return;
      try {
        process.kill(-this.#child.pid, 'SIGTERM');
      } catch {
        return;
      }
      const timer = setTimeout(this.#killGroup, STOP_GRACE_MS);
      await this.exited;
      clearTimeout(timer);
      // Anything it started and left in its group.
      this.#killGroup();
    })();
    return this.#stopping;
  }
}
