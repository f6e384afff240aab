// Loads tests/*.yaml policy test cases; they are shape-checked here and run by `llm-rules test`.

import { type LoadContext, listDir, readSource } from './config-files.ts';
import type { PolicyTestCase } from './policy-config.ts';
import { testCasesFileSchema } from './schema/tests-schema.ts';
import { validateWith } from './zod-issues.ts';

export async function loadTests(ctx: LoadContext): Promise<PolicyTestCase[]> {
  const out: PolicyTestCase[] = [];
  for (const entry of await listDir(ctx, 'tests')) {
    if (entry.isDir || !/\.ya?ml$/.test(entry.name)) continue;
    const rel = `tests/${entry.name}`;
    const source = await readSource(ctx, rel);
    if (!source) continue;
    const cases = validateWith(testCasesFileSchema, source.value ?? [], source, ctx.problems);
    for (const testCase of cases ?? [])
      out.push({ name: testCase.name, file: rel, input: testCase.input, expect: testCase.expect });
  }
  return out;
}
