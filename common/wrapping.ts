/**
 * Counters that wrap around (RTP timestamps, a stamp's frame number and
 * capture time): readings are kept modulo their range, and the difference of
 * two is taken nearest to zero.
 */

/** n modulo m, in [0, m). */
export const mod = (n: number, m: number): number => ((n % m) + m) % m;

/** n modulo m, in [-m/2, m/2). */
export const signedMod = (n: number, m: number): number => mod(n + m / 2, m) - m / 2;

/** From `b` to `a` on the 32-bit RTP clock, across its wrap. */
export const rtpTicksBetween = (b: number, a: number): number => signedMod(a - b, 2 ** 32);
