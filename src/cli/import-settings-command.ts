// `llm-rules import-settings FILE`: prints (or writes) the `policy:` block equivalent to a Claude Code
// settings.json's permission rules; rules it cannot accept are listed with their JSON path.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ValidationError } from '../core/errors/app-error.ts';
import { importSettings, policyYaml } from '../features/policy-import/import-settings.ts';
import type { CliIo } from './cli-io.ts';
import { parseFlags, stringFlag, UsageError } from './parse-flags.ts';
import { writeFileAtomically } from './write-file-atomically.ts';

const USAGE = 'llm-rules import-settings FILE [--out FILE] [--skip-invalid]';

export async function importSettingsCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(
    args,
    { out: { type: 'string' }, 'skip-invalid': { type: 'boolean' } },
    USAGE,
  );
  if (positionals.length !== 1) throw new UsageError(`expected one settings.json\n\nusage: ${USAGE}`);
  const file = positionals[0]!;
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, file), 'utf8');
  } catch (error) {
    throw new ValidationError(`Cannot read ${file}: ${(error as Error).message}`, { field: 'FILE' });
  }
  const imported = importSettings(text, file);
  for (const problem of imported.problems) {
    io.stderr(
      `${file} ${problem.path}: ${problem.message} (${problem.rule})${problem.hint ? `\n  hint: ${problem.hint}` : ''}`,
    );
  }
  for (const key of imported.ignored) io.stderr(`${file} ${key}: no policy equivalent; left out`);
  if (imported.problems.length > 0 && !values['skip-invalid']) {
    io.stderr(`${imported.problems.length} rule(s) could not be imported; fix them or pass --skip-invalid.`);
    return 1;
  }
  const yaml = policyYaml(imported, file);
  const out = stringFlag(values, 'out');
  if (!out) {
    io.stdout(yaml);
    return 0;
  }
  const target = resolve(io.cwd, out);
  await writeFileAtomically(target, `${yaml}\n`);
  io.stderr(`✓ Wrote ${target}`);
  return 0;
}
