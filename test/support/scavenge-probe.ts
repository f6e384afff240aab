// Run as `node bin/run-ts.js test/support/scavenge-probe.ts SETTING CPUS`: applies the parallelScavenge
// setting as `llm-rules serve` does, then has V8 print each scavenge's phases while it allocates with some
// survivors (test/parallel-scavenge.test.ts reads the helper threads' share). Tracing starts only after the
// setting, so every scavenge printed ran under it.
import { setFlagsFromString } from 'node:v8';
import { applyParallelScavenge, type ParallelScavenge } from '../../src/http/parallel-scavenge.ts';

const [setting, cpus] = process.argv.slice(2);
applyParallelScavenge(setting as ParallelScavenge, Number(cpus));
setFlagsFromString('--trace-gc-nvp');
const kept: { n: number; s: string }[] = [];
for (let i = 0; i < 3_000_000; i++) {
  const item = { n: i, s: `item ${i}` };
  if (i % 3 === 0) kept.push(item);
  if (kept.length > 20_000) kept.splice(0, 10_000);
}
console.log(`kept ${kept.length}`);
