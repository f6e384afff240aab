// Who a set of rules is for: the developer's place in the org, the agent, and the project the session
// works in. Rules are chosen for an audience; the same audience always gets the same rules.

export interface RuleAudience {
  tenantId: string;
  businessUnitId: string | null;
  teamId: string | null;
  /** The agent (`agent_type`), or the tenant's default agent for the main thread. */
  agent: string;
  /** The project's repository as `owner/name` (see normalizeRepository); null when unknown. */
  repository: string | null;
  techStacks: readonly string[];
  /**
   * Where the session works, relative to the project root ('' at the root); null when unknown. A
   * path-scoped rule applies when the session's directory and the rule's paths overlap.
   */
  projectPath: string | null;
}

/** A stable key for caching a rule set: every field that can change the selection. */
export function audienceKey(audience: RuleAudience): string {
  return JSON.stringify([
    audience.tenantId,
    audience.businessUnitId,
    audience.teamId,
    audience.agent,
    audience.repository,
    [...audience.techStacks].sort(),
    audience.projectPath,
  ]);
}
