// `llm-rules connect --server URL [--out FILE]`: the managed settings that connect a developer
// machine (hooks, gateway, telemetry, local deny mirror), printed or written atomically.
import { resolve } from 'node:path';
import { denyMirror } from '../features/connect/deny-mirror.ts';
import { managedSettings } from '../features/connect/managed-settings.ts';
import type { CliIo } from './cli-io.ts';
import { withStorage } from './open-storage.ts';
import { parseFlags, stringFlag, UsageError } from './parse-flags.ts';
import { writeFileAtomically } from './write-file-atomically.ts';

const USAGE = `llm-rules connect --server URL [--out FILE] [--tenant T] [--token-env NAME] [--gateway URL | --no-gateway] [--data DIR]`;

const FLAGS = {
  server: { type: 'string' },
  out: { type: 'string' },
  tenant: { type: 'string' },
  'token-env': { type: 'string' },
  gateway: { type: 'string' },
  'no-gateway': { type: 'boolean' },
  data: { type: 'string' },
} as const;

export async function connectCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(args, FLAGS, USAGE);
  const flag = (name: keyof typeof FLAGS) => stringFlag(values, name);
  const server = flag('server');
  if (!server || !/^https?:\/\//.test(server))
    throw new UsageError(`--server must be the server's http(s) URL\n\nusage: ${USAGE}`);
  if (values['no-gateway'] && flag('gateway'))
    throw new UsageError(`give --gateway or --no-gateway, not both\n\nusage: ${USAGE}`);

  const mirror = await withStorage(io, flag('data'), async (storage) => {
    const revision = await storage.bundles.activeRevision();
    const bundle = revision ? await storage.bundles.get(revision) : undefined;
    if (!bundle) return [];
    return denyMirror(bundle.content, flag('tenant') ?? bundle.content.org.tenant.id);
  });
  const settings = managedSettings({
    serverUrl: server,
    tokenVariable: flag('token-env') ?? 'LLM_RULES_TOKEN',
    gatewayUrl: values['no-gateway'] ? null : (flag('gateway') ?? server),
    denyMirror: mirror,
  });
  const text = `${JSON.stringify(settings, null, 2)}\n`;
  const out = flag('out');
  if (!out) {
    io.stdout(text.trimEnd());
    return 0;
  }
  const target = resolve(io.cwd, out);
  await writeFileAtomically(target, text);
  io.stderr(
    `✓ Wrote ${target}. Developers set ${flag('token-env') ?? 'LLM_RULES_TOKEN'} to their key (llm-rules keys create).`,
  );
  return 0;
}
