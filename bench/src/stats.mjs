// Small statistics helpers shared by the runner and the workload processes.

/** Nearest-rank percentile of an ascending-sorted array (p in 0..1). */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)))
  return sorted[rank - 1]
}

export function median(values) {
  const sorted = Float64Array.from(values).sort()
  if (sorted.length === 0) return NaN
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/**
 * Summarises per-run latencies (µs) and the wall time (ms) the runs took in total.
 * `roundMedians` are the medians of each timed round, to show how stable the figure is.
 */
export function summarize(samplesUs, wallMs, roundMedians = []) {
  const sorted = Float64Array.from(samplesUs).sort()
  let total = 0
  for (const value of sorted) total += value
  return {
    runs: sorted.length,
    medianUs: round(median(sorted)),
    p95Us: round(percentile(sorted, 0.95)),
    p99Us: round(percentile(sorted, 0.99)),
    minUs: round(sorted[0]),
    maxUs: round(sorted[sorted.length - 1]),
    meanUs: round(total / sorted.length),
    runsPerSec: Math.round(sorted.length / (wallMs / 1000)),
    wallMs: round(wallMs),
    roundMediansUs: roundMedians.map(round),
  }
}

export function round(value, digits = 2) {
  if (!Number.isFinite(value)) return value
  const factor = 10 ** digits
  return Math.round(value * factor) / factor
}

export const MB = 1_000_000
