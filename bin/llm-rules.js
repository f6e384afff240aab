#!/usr/bin/env node
// Entry point of the `llm-rules` command: runs the TypeScript sources through tsx's loader,
// so a clone works right after `npm install` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
