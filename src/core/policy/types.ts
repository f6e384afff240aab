// The policy engine's public types: who asks, what they ask, and the decision they get.

export interface PolicyPrincipal {
  tenantId: string;
  /** The user's email (members are keyed by email), or a service account id. */
  userId: string;
  roles: string[];
  /** Group ids from org/ (or their IdP group names). */
  groups: string[];
  businessUnitId: string | null;
  teamId: string | null;
}

export interface DecisionInput {
  principal: PolicyPrincipal;
  /** The hook's `agent_type`; absent for the main thread, which gets the tenant's default agent. */
  agent?: string;
  toolName: string;
  toolInput: Record<string, unknown>;
  cwd: string;
  home?: string;
  session?: { toolCalls: number };
}

export type Outcome = 'allow' | 'deny' | 'ask' | 'defer';

export interface Decision {
  outcome: Outcome;
  reason: string;
  /** Ids of the rules that matched, e.g. `tenant:acme/deny[0]`, `agent:developer/files[0]`. */
  matchedRules: string[];
  revision: string;
}
