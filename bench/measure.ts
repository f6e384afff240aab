// A tiny benchmark harness: warm up, time each iteration, report percentiles.
export interface Stats {
  name: string;
  iterations: number;
  meanUs: number;
  p50Us: number;
  p99Us: number;
  opsPerSec: number;
}

export async function measure(name: string, iterations: number, fn: (i: number) => unknown): Promise<Stats> {
  for (let i = 0; i < Math.min(200, iterations); i++) await fn(i);
  const samples = new Float64Array(iterations);
  const started = performance.now();
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await fn(i);
    samples[i] = (performance.now() - t0) * 1000;
  }
  const totalMs = performance.now() - started;
  samples.sort();
  const at = (q: number) => samples[Math.min(iterations - 1, Math.floor(q * iterations))]!;
  return {
    name,
    iterations,
    meanUs: (totalMs * 1000) / iterations,
    p50Us: at(0.5),
    p99Us: at(0.99),
    opsPerSec: Math.round(iterations / (totalMs / 1000)),
  };
}

export function report(title: string, rows: Stats[], note: string): void {
  console.log(`\n## ${title}`);
  console.log(
    'case'.padEnd(48),
    'iterations'.padStart(10),
    'mean µs'.padStart(10),
    'p50 µs'.padStart(10),
    'p99 µs'.padStart(10),
    'ops/s'.padStart(10),
  );
  for (const r of rows) {
    console.log(
      r.name.padEnd(48),
      String(r.iterations).padStart(10),
      r.meanUs.toFixed(1).padStart(10),
      r.p50Us.toFixed(1).padStart(10),
      r.p99Us.toFixed(1).padStart(10),
      String(r.opsPerSec).padStart(10),
    );
  }
  console.log(note);
}
