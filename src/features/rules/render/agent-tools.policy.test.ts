// One definition, both places: the tools a rendered subagent file offers are exactly the tools the
// decision engine lets that agent (`agent_type`) use, for every agent_routing profile of the example.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPolicyConfig } from '../../../config/load-policy-config.ts';
import type { PolicyConfig } from '../../../config/policy-config.ts';
import {
  type CompiledPolicy,
  compilePolicy,
  decide,
  type PolicyPrincipal,
} from '../../../core/policy/index.ts';
import { subagentTools } from './agent-tools.ts';

const admin: PolicyPrincipal = {
  tenantId: 'acme',
  userId: 'root@acme.test',
  roles: ['admin'],
  groups: ['platform-admins'],
  businessUnitId: 'engineering',
  teamId: 'platform',
};
const CWD = '/home/root/app';
/** A harmless call of each built-in tool, so only the agent's tool list can refuse it. */
const CALLS: Record<string, Record<string, unknown>> = {
  Read: { file_path: `${CWD}/src/a.ts` },
  Grep: { pattern: 'x', path: `${CWD}/src` },
  Glob: { pattern: 'src/**/*.ts' },
  Edit: { file_path: `${CWD}/src/a.ts`, old_string: 'a', new_string: 'b' },
  Write: { file_path: `${CWD}/src/b.ts`, content: 'x' },
  Bash: { command: 'git status' },
  WebFetch: { url: 'https://docs.acme.test/x', prompt: 'read' },
  WebSearch: { query: 'x' },
  NotebookEdit: { notebook_path: `${CWD}/src/n.ipynb`, new_source: 'x' },
};

let config: PolicyConfig;
let policy: CompiledPolicy;

beforeAll(async () => {
  const loaded = await loadPolicyConfig('examples/acme/.claude', { env: {} });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  config = loaded.config;
  policy = compilePolicy(config, 'example');
});

describe("a subagent's rendered tools and its enforced tools", () => {
  it('agree for every profile and every built-in tool', () => {
    const checked: string[] = [];
    for (const [agent, profile] of Object.entries(config.config.agent_routing)) {
      const offered = subagentTools(profile) ?? Object.keys(CALLS);
      for (const [tool, input] of Object.entries(CALLS)) {
        const decision = decide(policy, {
          principal: admin,
          agent,
          toolName: tool,
          toolInput: input,
          cwd: CWD,
        });
        const refusedAsNotItsTool = /is not among the tools of agent profile/.test(decision.reason);
        expect({ agent, tool, enforcedAsItsTool: !refusedAsNotItsTool }).toEqual({
          agent,
          tool,
          enforcedAsItsTool: offered.includes(tool),
        });
        checked.push(`${agent}:${tool}`);
      }
    }
    expect(checked.length).toBe(Object.keys(config.config.agent_routing).length * Object.keys(CALLS).length);
  });
});
