/**
 * A tiny seeded PRNG (mulberry32) so random tests repeat exactly: the seed is printed, and
 * `RELIABILITY_SEED=<n>` replays a run.
 */

/** A function returning floats in [0, 1), the same sequence for the same seed. */
export type Random = () => number;

/** The seed to use: `RELIABILITY_SEED` when set, else `fallback`. */
export function seedFrom(env: NodeJS.ProcessEnv, fallback: number): number {
  const raw = env['RELIABILITY_SEED'];
  const parsed = raw === undefined ? Number.NaN : Number(raw);
  return Number.isSafeInteger(parsed) ? parsed : fallback;
}

/** mulberry32: 32 bits of state, good enough to pick mutations and moments. */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [0, n). */
export function below(random: Random, n: number): number {
  return Math.floor(random() * n);
}
