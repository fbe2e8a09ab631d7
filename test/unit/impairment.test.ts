import { describe, expect, it } from 'vitest';
import { Impairment } from '../../harness/network/Impairment.js';

/** A repeatable random source. */
function seeded(seed: number): () => number {
  return () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

describe('network impairment', () => {
  it('drops about the configured share of packets', () => {
    const imp = new Impairment({ lossPercent: 10, delayMs: 0, jitterMs: 0, blackhole: false }, seeded(7));
    let dropped = 0;
    for (let i = 0; i < 10_000; i++) if (imp.schedule(1200, i) === 'loss') dropped++;
    expect(dropped / 10_000).toBeGreaterThan(0.09);
    expect(dropped / 10_000).toBeLessThan(0.11);
  });

  it('adds delay within the jitter and never reorders', () => {
    const imp = new Impairment({ lossPercent: 0, delayMs: 100, jitterMs: 30, blackhole: false }, seeded(3));
    let last = 0;
    for (let i = 0; i < 1000; i++) {
      const departure = imp.schedule(100, i * 5) as number;
      expect(departure - i * 5).toBeGreaterThanOrEqual(70);
      expect(departure - i * 5).toBeLessThanOrEqual(130 + 5);
      expect(departure).toBeGreaterThanOrEqual(last);
      last = departure;
    }
  });

  it('caps the rate and tail-drops what queues too long', () => {
    // 1000-byte packets at 80 kbps: one every 100 ms fits; 10x that rate does not.
    const imp = new Impairment({ lossPercent: 0, delayMs: 0, jitterMs: 0, rateBps: 80_000, blackhole: false }, seeded(1));
    const outcomes = Array.from({ length: 100 }, (_, i) => imp.schedule(1000, i * 10));
    const sent = outcomes.filter((o) => typeof o === 'number') as number[];
    expect(outcomes.filter((o) => o === 'queue').length).toBeGreaterThan(80);
    // What is sent leaves at the capped pace.
    for (let i = 1; i < sent.length; i++) expect(sent[i] - sent[i - 1]).toBeGreaterThanOrEqual(100);
  });

  it('blackholes everything', () => {
    const imp = new Impairment({ lossPercent: 0, delayMs: 0, jitterMs: 0, blackhole: true });
    expect(imp.schedule(100, 0)).toBe('blackhole');
  });
});
