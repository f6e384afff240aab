// `llm-rules check [DIR]`: runs the config's policy test cases (`tests/*.yaml`) against its own
// policy, like `opa test`; exit 1 when any case fails, so CI can gate policy changes.
import { resolve } from 'node:path';
import { loadPolicyConfig } from '../config/load-policy-config.ts';
import { ConfigError } from '../core/errors/app-error.ts';
import { bundleRevision } from '../features/bundles/bundle-revision.ts';
import { runPolicyTests } from '../features/policy-tests/run-policy-tests.ts';
import type { CliIo } from './cli-io.ts';
import { parseFlags, UsageError } from './parse-flags.ts';

const USAGE = 'llm-rules check [DIR] [--verbose] [--json]   (DIR defaults to .claude)';

export async function checkCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(
    args,
    { verbose: { type: 'boolean' }, json: { type: 'boolean' } },
    USAGE,
  );
  if (positionals.length > 1)
    throw new UsageError(`expected at most one config directory\n\nusage: ${USAGE}`);
  const dir = positionals[0] ?? '.claude';
  const loaded = await loadPolicyConfig(resolve(io.cwd, dir), { env: io.env });
  if (!loaded.ok) {
    throw new ConfigError(`${dir} has configuration errors; run \`llm-rules validate ${dir}\` for details.`, {
      problems: loaded.problems,
    });
  }
  const results = runPolicyTests(loaded.config, bundleRevision(loaded.config));
  const failed = results.filter((r) => !r.passed);
  if (values.json) {
    io.stdout(
      JSON.stringify({ passed: results.length - failed.length, failed: failed.length, results }, null, 2),
    );
    return failed.length > 0 ? 1 : 0;
  }
  for (const result of results) {
    if (!result.passed) io.stdout(`FAIL ${result.file}: ${result.name}\n     ${result.detail}`);
    else if (values.verbose) io.stdout(`PASS ${result.file}: ${result.name} (${result.detail})`);
  }
  if (results.length === 0) io.stdout(`No test cases in ${dir}/tests/.`);
  else io.stdout(`policy tests: ${results.length - failed.length} passed, ${failed.length} failed`);
  return failed.length > 0 ? 1 : 0;
}
