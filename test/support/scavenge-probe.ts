// Run as `node --trace-gc-nvp bin/run-ts.js test/support/scavenge-probe.ts SETTING CPUS`: applies the
// parallelScavenge setting as `llm-rules serve` does, then allocates with some survivors, so V8 prints
// each scavenge's phases (test/parallel-scavenge.test.ts reads the helper threads' share).
import { applyParallelScavenge, type ParallelScavenge } from '../../src/http/parallel-scavenge.ts';

const [setting, cpus] = process.argv.slice(2);
applyParallelScavenge(setting as ParallelScavenge, Number(cpus));
const kept: { n: number; s: string }[] = [];
for (let i = 0; i < 3_000_000; i++) {
  const item = { n: i, s: `item ${i}` };
  if (i % 3 === 0) kept.push(item);
  if (kept.length > 20_000) kept.splice(0, 10_000);
}
console.log(`kept ${kept.length}`);
