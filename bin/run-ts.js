#!/usr/bin/env node
// Runs one TypeScript file (benchmarks, scripts) with tsx's loader: `node bin/run-ts.js FILE [ARGS]`.
import { pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const [file] = process.argv.splice(2, 1);
if (!file) {
  console.error('usage: node bin/run-ts.js FILE.ts [ARGS...]');
  process.exit(2);
}
await import(pathToFileURL(file).href);
