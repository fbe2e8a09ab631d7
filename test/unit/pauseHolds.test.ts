import { describe, expect, it } from 'vitest';
import { hold, release, type Pausable } from '../../server/sfu/pauseHolds.js';

/** A producer or consumer as far as pausing goes, recording what was asked of it. */
function media(): Pausable & { calls: string[] } {
  const calls: string[] = [];
  return { closed: false, calls, pause: async () => void calls.push('pause'), resume: async () => void calls.push('resume') };
}

describe('media paused by overlapping faults', () => {
  it('resumes only when the last fault holding it is reverted', async () => {
    const m = media();
    await hold(m); // fault A
    await hold(m); // fault B, overlapping
    await release(m); // A reverted: B still holds it
    expect(m.calls).toEqual(['pause']);
    await release(m); // B reverted
    expect(m.calls).toEqual(['pause', 'resume']);
  });

  it('does not resume what was closed meanwhile', async () => {
    const m = { ...media(), closed: true };
    await hold(m);
    await release(m);
    expect(m.calls).toEqual(['pause']);
  });
});
