/**
 * Small statistics for the benchmarks: median, min–max and percentiles of a list of samples,
 * and the formatting used in the table. Medians, not means: one stray GC or scheduler hiccup
 * must not move the headline figure, and min–max shows it anyway.
 */

/** The p-th percentile (0–100) of samples, by linear interpolation between closest ranks. */
export function percentile(samples, p) {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((x, y) => x - y);
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}

/** `{ n, median, min, max, p90 }` of the samples. */
export function summarize(samples) {
  return {
    n: samples.length,
    median: percentile(samples, 50),
    min: Math.min(...samples),
    max: Math.max(...samples),
    p90: percentile(samples, 90),
  };
}

/** A number with a precision that suits its size: 0.42, 4.2, 42, 420. */
export function formatNumber(value) {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** `median` and `min–max` of a summary, with the unit after the median. */
export function formatSummary(summary, unit) {
  const suffix = unit ? ` ${unit}` : '';
  return {
    median: `${formatNumber(summary.median)}${suffix}`,
    range: `${formatNumber(summary.min)}–${formatNumber(summary.max)}`,
  };
}

/** Counts of samples per bucket, for a text histogram that would show a bimodal stall. */
export function histogram(samples, edges) {
  const buckets = edges.map((edge, i) => ({
    label: i === 0 ? `< ${edge}` : `${edges[i - 1]}–${edge}`,
    count: 0,
  }));
  const last = { label: `≥ ${edges[edges.length - 1]}`, count: 0 };
  for (const sample of samples) {
    const index = edges.findIndex((edge) => sample < edge);
    if (index === -1) last.count += 1;
    else buckets[index].count += 1;
  }
  return [...buckets, last];
}

/** How time grows with size between two points: 1 is linear, 2 quadratic. */
export function growthExponent(smallSize, smallTime, bigSize, bigTime) {
  return Math.log(bigTime / smallTime) / Math.log(bigSize / smallSize);
}

/** Milliseconds since `start` (a `performance.now()` reading). */
export function msSince(start) {
  return performance.now() - start;
}
