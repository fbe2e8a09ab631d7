/**
 * Media that faults pause, counted: two faults may hold the same producer or
 * consumer paused (overlapping freezes), and it resumes only when the last of
 * them is reverted.
 */
export interface Pausable {
  readonly closed: boolean;
  pause(): Promise<void>;
  resume(): Promise<void>;
}

const holds = new WeakMap<Pausable, number>();

export async function hold(x: Pausable): Promise<void> {
  const n = holds.get(x) ?? 0;
  holds.set(x, n + 1);
  if (n === 0) await x.pause();
}

export async function release(x: Pausable): Promise<void> {
  const n = (holds.get(x) ?? 1) - 1;
  holds.set(x, n);
  if (n === 0 && !x.closed) await x.resume();
}
