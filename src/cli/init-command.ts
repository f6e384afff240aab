// `llm-rules init [DIR]`: writes a commented starter .claude/ config directory.

import { relative, resolve } from 'node:path';
import { writeStarterConfig } from '../config/starter.ts';
import type { CliIo } from './cli-io.ts';
import { parseFlags } from './parse-flags.ts';

const USAGE = 'llm-rules init [DIR]   (DIR defaults to .claude)';

export async function initCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(args, { help: { type: 'boolean', short: 'h' } }, USAGE);
  if (values.help) {
    io.stdout(`usage: ${USAGE}`);
    return 0;
  }
  const dir = positionals[0] ?? '.claude';
  // A ConflictError (files already there) propagates to main's error mapping: nothing is overwritten.
  const written = await writeStarterConfig(resolve(io.cwd, dir));
  io.stdout(`Wrote a starter config to ${dir}:`);
  for (const file of written) io.stdout(`  ${relative(io.cwd, file)}`);
  io.stdout('');
  io.stdout('Next steps:');
  io.stdout(`  1. edit ${dir}/config.yaml, ${dir}/permissions.yaml and ${dir}/org/ for your organization`);
  io.stdout(`  2. llm-rules validate ${dir}`);
  io.stdout(`  3. llm-rules apply ${dir}`);
  return 0;
}
