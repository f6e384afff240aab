// `npm run bench`: runs every benchmark in turn; each prints its figures beside its baseline.
// `npm run bench -- hook-endpoint policy-decision` runs only those.
import * as auditAppend from './audit-append.bench.ts';
import * as bundleRevision from './bundle-revision.bench.ts';
import * as engineComparison from './engine-comparison.bench.ts';
import * as gateway from './gateway.bench.ts';
import * as gatewayInstructions from './gateway-instructions.bench.ts';
import * as hookEndpoint from './hook-endpoint.bench.ts';
import * as keyAuthentication from './key-authentication.bench.ts';
import * as messagesInspection from './messages-inspection.bench.ts';
import * as policyDecision from './policy-decision.bench.ts';
import * as signInAuthentication from './sign-in-authentication.bench.ts';
import * as telemetry from './telemetry.bench.ts';

const benches: Record<string, { run(): Promise<void> }> = {
  'key-authentication': keyAuthentication,
  'sign-in-authentication': signInAuthentication,
  'bundle-revision': bundleRevision,
  'audit-append': auditAppend,
  'policy-decision': policyDecision,
  'engine-comparison': engineComparison,
  'hook-endpoint': hookEndpoint,
  'messages-inspection': messagesInspection,
  gateway,
  'gateway-instructions': gatewayInstructions,
  telemetry,
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in benches));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(benches).join(', ')}`);
  process.exit(2);
}
console.log(`# LLM-RULES benchmarks — node ${process.version}, ${new Date().toISOString()}`);
for (const [name, bench] of Object.entries(benches)) {
  if (wanted.length === 0 || wanted.includes(name)) await bench.run();
}
