// `llm-rules sync`: renders the organisation's rules, subagents and slash commands into the files each
// coding agent reads in a project (or, with --managed, a machine's policy CLAUDE.md and managed
// settings); `--check` only reports what is out of date, for CI.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadPolicyConfig } from '../config/load-policy-config.ts';
import type { PolicyConfig } from '../config/policy-config.ts';
import { AppError, ConfigError, NotFoundError } from '../core/errors/app-error.ts';
import { normalizeRepository } from '../core/rules/project-facts.ts';
import { bundleRevision } from '../features/bundles/bundle-revision.ts';
import { planManaged } from '../features/rules/render/managed-policy.ts';
import { readProjectFacts } from '../features/rules/render/read-project-facts.ts';
import { syncAudience } from '../features/rules/render/sync-audience.ts';
import { planSync, SYNC_FORMATS } from '../features/rules/render/sync-plan.ts';
import { describeAudience, describeRules, reportOutcomes } from '../features/rules/render/sync-report.ts';
import { applySync, type SyncTarget } from '../features/rules/render/sync-writer.ts';
import type { CliIo } from './cli-io.ts';
import { withStorage } from './open-storage.ts';
import { parseFlags, UsageError } from './parse-flags.ts';

const USAGE = `llm-rules sync [--project DIR] [--agents claude,agents-md,cursor,copilot] [--check]
         [--tenant T] [--team ID] [--business-unit ID] [--repository OWNER/NAME] [--tech-stack a,b]
         [--config DIR | --data DIR]
       llm-rules sync --managed --server URL [--dir DIR] [--check] [--tenant T] [--team ID]
         [--business-unit ID] [--token-env NAME] [--gateway URL | --no-gateway] [--config DIR | --data DIR]`;

const FLAGS = {
  project: { type: 'string' },
  agents: { type: 'string' },
  check: { type: 'boolean' },
  tenant: { type: 'string' },
  team: { type: 'string' },
  'business-unit': { type: 'string' },
  repository: { type: 'string' },
  'tech-stack': { type: 'string' },
  config: { type: 'string' },
  data: { type: 'string' },
  managed: { type: 'boolean' },
  dir: { type: 'string' },
  server: { type: 'string' },
  'token-env': { type: 'string' },
  gateway: { type: 'string' },
  'no-gateway': { type: 'boolean' },
} as const;

type Flag = keyof typeof FLAGS;
const PROJECT_ONLY: readonly Flag[] = ['project', 'agents', 'repository', 'tech-stack'];
const MANAGED_ONLY: readonly Flag[] = ['dir', 'server', 'token-env', 'gateway', 'no-gateway'];

type Values = ReturnType<typeof parseFlags<typeof FLAGS>>['values'];
type Usage = (message: string) => UsageError;

export async function syncCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(args, FLAGS, USAGE);
  const usage: Usage = (message) => new UsageError(`${message}\n\nusage: ${USAGE}`);
  if (positionals.length > 0) throw usage(`unexpected argument '${positionals[0]}'`);
  if (values.config && values.data) throw usage('give --config or --data, not both');
  const misplaced = (values.managed ? PROJECT_ONLY : MANAGED_ONLY).find((name) => values[name] !== undefined);
  if (misplaced) throw usage(`--${misplaced} ${values.managed ? 'is not used with' : 'needs'} --managed`);
  return values.managed ? syncManaged(io, values, usage) : syncProject(io, values, usage);
}

function orgPlace(values: Values) {
  return { tenantId: values.tenant, teamId: values.team, businessUnitId: values['business-unit'] };
}

async function syncProject(io: CliIo, values: Values, usage: Usage): Promise<number> {
  const formats = parseFormats(values.agents, usage);
  const { repository, 'tech-stack': stacks } = values;
  if (repository !== undefined && !normalizeRepository(repository))
    throw usage(`--repository takes OWNER/NAME or a git remote URL, not '${repository}'`);
  const project = resolve(io.cwd, values.project ?? '.');
  if (!(await stat(project).catch(() => null))?.isDirectory())
    throw new NotFoundError('project directory', project);
  const bundle = await loadBundle(io, values.config, values.data);
  const facts = repository && stacks ? undefined : await readProjectFacts(project);
  const audience = syncAudience(bundle.content, {
    ...orgPlace(values),
    repository: repository ? normalizeRepository(repository) : (facts?.repository ?? null),
    techStacks: stacks ? splitList(stacks).map((s) => s.toLowerCase()) : (facts?.techStacks ?? []),
  });
  const plan = planSync(bundle.content, bundle.revision, audience, formats);
  io.stdout(describeAudience(bundle.revision, audience));
  for (const line of describeRules(plan)) io.stdout(line);
  return finish(io, project, plan, values.check === true);
}

/** The connection options mean what they mean for `llm-rules connect`. */
async function syncManaged(io: CliIo, values: Values, usage: Usage): Promise<number> {
  const { server, gateway } = values;
  if (!server || !/^https?:\/\//.test(server)) throw usage("--server must be the server's http(s) URL");
  if (values['no-gateway'] && gateway) throw usage('give --gateway or --no-gateway, not both');
  const bundle = await loadBundle(io, values.config, values.data);
  const audience = syncAudience(bundle.content, { ...orgPlace(values), repository: null, techStacks: [] });
  const files = planManaged(bundle.content, bundle.revision, audience, {
    serverUrl: server,
    tokenVariable: values['token-env'] ?? 'LLM_RULES_TOKEN',
    gatewayUrl: values['no-gateway'] ? null : (gateway ?? server),
  });
  io.stdout(describeAudience(bundle.revision, audience, true));
  const dir = resolve(io.cwd, values.dir ?? '/etc/claude-code');
  return finish(io, dir, { files, locations: [] }, values.check === true);
}

async function finish(io: CliIo, root: string, target: SyncTarget, check: boolean): Promise<number> {
  const report = reportOutcomes(await applySync(root, target, { check }), check);
  for (const line of report.stderr) io.stderr(line);
  for (const line of report.stdout) io.stdout(line);
  return report.outOfDate ? 1 : 0;
}

function parseFormats(text: string | undefined, usage: (message: string) => UsageError): string[] {
  const known = Object.keys(SYNC_FORMATS);
  if (text === undefined) return known;
  const formats = [...new Set(splitList(text))];
  const unknown = formats.find((name) => !known.includes(name));
  if (unknown || formats.length === 0)
    throw usage(`--agents takes a list of ${known.join(', ')}${unknown ? `, not '${unknown}'` : ''}`);
  return formats;
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** A `.claude/` directory loaded directly (`--config`, for CI without a database), else the active bundle. */
async function loadBundle(
  io: CliIo,
  configDir: string | undefined,
  dataDir: string | undefined,
): Promise<{ content: PolicyConfig; revision: string }> {
  if (configDir) {
    const loaded = await loadPolicyConfig(resolve(io.cwd, configDir), { env: io.env });
    if (!loaded.ok)
      throw new ConfigError(
        `${configDir} has configuration errors; run \`llm-rules validate ${configDir}\` for details.`,
        { problems: loaded.problems },
      );
    return { content: loaded.config, revision: bundleRevision(loaded.config) };
  }
  return withStorage(io, dataDir, async (storage) => {
    const revision = await storage.bundles.activeRevision();
    const bundle = revision ? await storage.bundles.get(revision) : undefined;
    if (!revision || !bundle)
      throw new AppError(
        404,
        'not_found_error',
        'No policy bundle is active in the store: run `llm-rules apply DIR`, or pass --config DIR.',
      );
    return { content: bundle.content, revision };
  });
}
