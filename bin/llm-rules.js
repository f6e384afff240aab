#!/usr/bin/env node
// Entry point of the `llm-rules` command. It runs the compiled runtime (ADR 0008): the sources bundled
// into build/, rebuilt on the first start after they change, so a clone works right after `npm install`
// with no build step and a server carries no TypeScript loader. LLM_RULES_FROM_SOURCES=1 runs the
// TypeScript sources through tsx's loader instead (ADR 0003).
import { pathToFileURL } from 'node:url';

let entry;
if (process.env.LLM_RULES_FROM_SOURCES === '1') {
  const { register } = await import('tsx/esm/api');
  register();
  entry = '../src/cli/main.ts';
} else {
  const { compiledMain } = await import('./compiled-runtime.js');
  entry = pathToFileURL(await compiledMain()).href;
  // With LLM_RULES_DEBUG=1, stack traces name the TypeScript sources through the build's source maps.
  // Only then: Node keeps every loaded module's parsed map in memory, about 40 MB of the server's RSS.
  if (process.env.LLM_RULES_DEBUG) process.setSourceMapsEnabled(true);
}
const { main } = await import(entry);
process.exitCode = await main(process.argv.slice(2));
