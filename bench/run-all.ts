// `npm run bench`: runs every benchmark in turn; each prints its figures beside its baseline.
import * as auditAppend from './audit-append.bench.ts';
import * as bundleRevision from './bundle-revision.bench.ts';
import * as hookEndpoint from './hook-endpoint.bench.ts';
import * as keyAuthentication from './key-authentication.bench.ts';
import * as policyDecision from './policy-decision.bench.ts';

const benches = [keyAuthentication, bundleRevision, auditAppend, policyDecision, hookEndpoint];

console.log(`# LLM-RULES benchmarks — node ${process.version}, ${new Date().toISOString()}`);
for (const bench of benches) await bench.run();
