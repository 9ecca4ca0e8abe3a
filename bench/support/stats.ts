/** Order statistics of a sample of timings (milliseconds). */
export interface Summary {
  n: number;
  median: number;
  p95: number;
  min: number;
  max: number;
}

/** Nearest-rank percentile: the smallest sample with at least `p`% of the samples at or below it. */
function percentile(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/** Median, p95, min and max of a non-empty sample. */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new RangeError('summarize: no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { n: sorted.length, median, p95: percentile(sorted, 95), min: sorted[0]!, max: sorted.at(-1)! };
}

/** Runs `work` `warmup` times untimed, then `runs` times timed. */
export async function sample(runs: number, warmup: number, work: () => unknown): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await work();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  return times;
}

/** A full GC between iterations, so one iteration's garbage is not billed to the next. */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Milliseconds as a short string: µs below 1 ms. */
export function formatMs(ms: number): string {
  if (Math.abs(ms) < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (Math.abs(ms) < 10) return `${ms.toFixed(2)} ms`;
  return `${ms.toFixed(1)} ms`;
}

export function formatUs(ms: number): string {
  return `${(ms * 1000).toFixed(1)} µs`;
}
