// Turns the `permissions` of an existing Claude Code settings.json into an LLM-RULES `policy:` block,
// so rules teams already wrote move into the central policy unchanged.
import { stringify } from 'yaml';
import { z } from 'zod';
import { checkPolicyRule } from '../../config/schema/policy-rules-schema.ts';
import { ValidationError } from '../../core/errors/app-error.ts';

const settingsSchema = z.looseObject({
  permissions: z
    .looseObject({
      allow: z.array(z.string()).default([]),
      ask: z.array(z.string()).default([]),
      deny: z.array(z.string()).default([]),
    })
    .optional(),
});

export interface ImportProblem {
  /** JSON path of the rule, e.g. `permissions.deny[2]`. */
  path: string;
  rule: string;
  message: string;
  hint?: string;
}

export interface ImportedPolicy {
  policy: { allow: string[]; ask: string[]; deny: string[] };
  problems: ImportProblem[];
  /** Settings keys that have no policy equivalent and were left out (defaultMode, additionalDirectories ...). */
  ignored: string[];
}

export function importSettings(text: string, file: string): ImportedPolicy {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`${file} is not valid JSON: ${(error as Error).message}`, { field: file });
  }
  const parsed = settingsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.');
    throw new ValidationError(`${file}: ${field || '(root)'}: ${issue.message}`, { field });
  }
  const permissions = parsed.data.permissions ?? { allow: [], ask: [], deny: [] };
  const problems: ImportProblem[] = [];
  const policy = { allow: [] as string[], ask: [] as string[], deny: [] as string[] };
  for (const kind of ['allow', 'ask', 'deny'] as const) {
    permissions[kind].forEach((rule, index) => {
      const error = checkPolicyRule(rule);
      if (error) {
        problems.push({
          path: `permissions.${kind}[${index}]`,
          rule,
          message: error.message,
          ...(error.hint ? { hint: error.hint } : {}),
        });
      } else if (!policy[kind].includes(rule)) {
        policy[kind].push(rule);
      }
    });
  }
  const ignored = Object.keys(permissions).filter((key) => !['allow', 'ask', 'deny'].includes(key));
  return { policy, problems, ignored: ignored.map((key) => `permissions.${key}`) };
}

/** The YAML to paste under a `policy:` key (tenant, business unit, team, member, group or role). */
export function policyYaml(imported: ImportedPolicy, file: string): string {
  const block: Record<string, string[]> = {};
  for (const kind of ['allow', 'ask', 'deny'] as const)
    if (imported.policy[kind].length > 0) block[kind] = imported.policy[kind];
  return [
    `# Imported from ${file}. Paste under \`policy:\` in .claude/config.yaml (tenant-wide), or under a`,
    '# business unit, team, member, group or role; add `security: true` to make it unrelaxable below.',
    stringify({ policy: block }).trimEnd(),
  ].join('\n');
}
