import { describe, expect, it } from 'vitest';
import { ViewerQoe } from '../../harness/probes/ViewerQoe.js';

/** A viewer that joined at 0 and reported every 500 ms, frames at 30 fps up to `lastFrame`. */
function watching(lastFrame: number, lastReport: number): ViewerQoe {
  const qoe = new ViewerQoe([500]);
  qoe.onJoinRequested(0);
  for (let t = 100; t <= lastFrame; t += 1000 / 30) qoe.onFrame(t);
  for (let t = 500; t <= lastReport; t += 500) qoe.onStats(t, undefined, undefined, 0);
  return qoe;
}

describe('ViewerQoe live freeze state', () => {
  it('judges at the last report, since frames arrive in batches', () => {
    // Healthy: frames up to the last report at 2000; "now" is 400 ms later, before the next report.
    expect(watching(1990, 2000).frozenNow(2400)).toBe(false);
    // Really stalled: no frame since 1000, reports kept coming.
    expect(watching(1000, 2000).frozenNow(2400)).toBe(true);
  });

  it('judges a viewer whose reports stopped no earlier than two intervals ago', () => {
    expect(watching(1990, 2000).frozenNow(2400 + 2000)).toBe(true);
  });

  it('a disconnected viewer is not counted as frozen', () => {
    const qoe = watching(1000, 2000);
    qoe.onDisconnected(1500);
    expect(qoe.frozenNow(2400)).toBe(false);
  });

  it('counts a rejoin recovery only from frames of the new session', () => {
    const qoe = watching(1990, 2000);
    qoe.onDisconnected(2000, true);
    qoe.onFrame(2050); // in flight from the lost session
    expect(qoe.disconnectedAt).toBe(2000);
    qoe.onJoinRequested(2300);
    qoe.onFrame(2600);
    expect(qoe.disconnectedAt).toBeUndefined();
    expect(qoe.recoveries).toBe(1);
  });
});
