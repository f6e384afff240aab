// The validated, normalized config-as-code: what `llm-rules apply` stores as a bundle's content.
// Loaders produce exactly this shape (defaults applied, env interpolated, files read); everything
// downstream (bundles, plan, policy engine, rules) reads only this, never the raw YAML.

export type KeyStorage = 'vault' | 'env' | 'file';
export type OAuthProvider = 'okta' | 'auth0' | 'azure_ad' | 'oidc';
export type TenantIsolation = 'strict' | 'shared_rules' | 'shared_context';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type AuditEventName =
  | 'agent_activation'
  | 'tool_use'
  | 'file_access'
  | 'rule_modification'
  | 'config_change'
  | 'prompt_submit'
  | 'session'
  | 'budget'
  | 'admin_action';
export type ExportFormat = 'json' | 'csv' | 'ndjson';
export type DefaultDecision = 'deny' | 'ask' | 'defer';

export interface SecurityConfig {
  api_keys: { enabled: boolean; rotation_days: number; key_storage: KeyStorage };
  oauth?: {
    provider: OAuthProvider;
    issuer?: string;
    client_id: string;
    client_secret: string;
    scopes: string[];
    email_claim: string;
    groups_claim: string;
  };
  sign_in: {
    access_token_ttl: string;
    session_max_age: string;
    signing_key_rotation: string;
    login_notice?: string;
  };
  saml?: {
    entry_point: string;
    idp_entity_id: string;
    idp_cert: string | string[];
    sp_entity_id?: string;
    email_attribute?: string;
    groups_attribute: string;
    want_response_signed: boolean;
    clock_skew: string;
  };
  console: { login?: 'oidc' | 'saml'; session_max_age: string; idle_timeout: string };
}

/** One agent profile (`agent_routing.<name>`); pattern lists use Claude Code's permission-rule syntax or globs. */
export interface AgentProfile {
  description?: string;
  model?: string;
  permissions: {
    tools: string[];
    files: string[];
    deny: string[];
    commands: string[];
    domains: string[];
    mcp: string[];
  };
}

export interface MultiTenantConfig {
  enabled: boolean;
  isolation: TenantIsolation;
  tenant_config_path: string;
}

export interface LimitsConfig {
  max_context_tokens: number;
  max_sessions_per_day: number;
  max_tool_calls_per_session: number;
  max_file_size: number;
}

export interface AuditConfig {
  enabled: boolean;
  log_level: LogLevel;
  events: AuditEventName[];
  retention_days: number;
}

export interface GdprConfig {
  enabled: boolean;
  data_retention_days: number;
  auto_delete_expired: boolean;
  export_format: ExportFormat;
}

export interface CacheSection {
  enabled: boolean;
  ttl_seconds: number;
  max_size_mb: number;
}

export interface CachingConfig {
  context: CacheSection;
  rules: CacheSection & { preload: string[] };
}

/**
 * Tool-call rules at one level of the org (tenant, business unit, team, group, role, user), written as
 * Claude Code permission rules (`Read(./.env)`, `Bash(npm run test:*)`, `mcp__github__*`).
 */
export interface PolicyRules {
  allow: string[];
  ask: string[];
  deny: string[];
  /** A security policy: always enforced; nothing below it can relax its deny or ask rules. */
  security: boolean;
}

/**
 * `policy:` in config.yaml: the tenant's rules plus how undecided calls and paths are handled.
 * The loader always fills every key; they are optional here only so older bundles still type-check.
 */
export interface PolicyDefaults extends Partial<PolicyRules> {
  /** What a tool call gets when no rule decides it. */
  decision: DefaultDecision;
  /** The agent profile used when the hook names no agent (or one without a profile); default `developer`. */
  default_agent?: string;
  /** Compare paths case-insensitively (macOS, Windows checkouts); default false. */
  case_insensitive_paths?: boolean;
}

/** `.claude/config.yaml`, with every default applied. */
export interface MainConfig {
  security: SecurityConfig;
  agent_routing: Record<string, AgentProfile>;
  multi_tenant: MultiTenantConfig;
  limits: LimitsConfig;
  audit: AuditConfig;
  gdpr: GdprConfig;
  caching: CachingConfig;
  policy: PolicyDefaults;
  gateway: GatewayConfig;
}

/** Dollars per million tokens. */
export interface PriceConfig {
  input: number;
  output: number;
  cache_write_5m?: number | undefined;
  cache_write_1h?: number | undefined;
  cache_read?: number | undefined;
}

export interface UpstreamConfig {
  name: string;
  provider: 'anthropic' | 'bedrock' | 'vertex';
  project_id?: string | undefined;
  /** As written: a `${ENV}` reference to a service-account key (JSON), resolved when used. */
  service_account_secret?: string | undefined;
  region?: string | undefined;
  aws_access_key_id?: string | undefined;
  /** As written: a `${ENV}` reference resolved when used. */
  aws_secret_access_key?: string | undefined;
  aws_session_token?: string | undefined;
  model_ids?: Record<string, string> | undefined;
  base_url: string;
  /** As written: a `${ENV}` reference resolved when used. */
  api_key?: string | undefined;
  timeout_ms: number;
  idle_timeout_ms: number;
  connections: number;
  retries: number;
}

export interface RateLimitConfig {
  scope: 'key' | 'user' | 'team' | 'tenant';
  requests_per_minute?: number | undefined;
  tokens_per_minute?: number | undefined;
  concurrent?: number | undefined;
}

export interface ModelRuleConfig {
  /** `tenant`, `business_unit:<id>`, `team:<id>`, `user:<email>` or `group:<id>`. */
  scope: string;
  allow: string[];
  deny: string[];
}

export interface GatewayConfig {
  upstreams: UpstreamConfig[];
  rate_limits: RateLimitConfig[];
  models: ModelRuleConfig[];
  prices: Record<string, PriceConfig>;
  unknown_model_price?: PriceConfig | undefined;
  /** When the budget store cannot be read: refuse (`fail_closed`, the default) or forward with no budget. */
  budgets_unavailable: 'fail_closed' | 'fail_open';
  max_request_bytes: number;
}

/** `permissions.yaml`: a role grants permission strings (`agents:*`, `rules:read`) and inherits others. */
export interface RoleDefinition {
  description?: string;
  permissions: string[];
  inherits: string[];
  policy?: PolicyRules;
}

export type AlertSeverity = 'info' | 'warning' | 'critical';

export interface AlertRule {
  name: string;
  condition: string;
  severity: AlertSeverity;
  action: string;
  for?: string;
  /** While firing, notify again after this long (default 4h). */
  renotify?: string;
  scope?: OrgRef;
}

/** SMTP settings; secrets (`password`) keep their `${ENV}` reference and are resolved when a mail is sent. */
export interface SmtpSettings {
  host?: string;
  port?: number;
  secure?: boolean;
  username?: string;
  password?: string;
  from?: string;
}

export interface AlertChannel {
  type: 'webhook' | 'slack' | 'pagerduty' | 'email';
  url?: string;
  to?: string[];
  /** webhook: the HMAC-SHA256 signing secret. */
  secret?: string;
  /** pagerduty: the Events API v2 integration key. */
  routing_key?: string;
  /** email: overrides the file's `smtp` settings. */
  smtp?: SmtpSettings;
}

export interface AlertsConfig {
  alerts: AlertRule[];
  channels: Record<string, AlertChannel>;
  /** How often rules are evaluated (default 30s). Absent keys stay absent, so older bundles keep their revisions. */
  evaluation_interval?: string;
  smtp?: SmtpSettings;
  /** Where the gateway's budget threshold events are sent. */
  budget_alerts?: { action: string; severity?: AlertSeverity };
}

/** A reference to a node of the org tree. `id` is absent for level 'tenant'. */
export interface OrgRef {
  level: 'tenant' | 'business_unit' | 'team' | 'user';
  id?: string;
}

export interface OrgMember {
  email: string;
  name?: string;
  roles: string[];
  groups: string[];
  policy?: PolicyRules;
}

export interface TeamConfig {
  id: string;
  name: string;
  members: OrgMember[];
  policy?: PolicyRules;
}

export interface BusinessUnitConfig {
  id: string;
  name: string;
  teams: TeamConfig[];
  policy?: PolicyRules;
}

/** An IdP group: its members get `roles`, bound at `bind_to` (default: the tenant) and inherited down. */
export interface GroupConfig {
  id: string;
  name?: string;
  idp_group: string;
  roles: string[];
  bind_to?: OrgRef;
  policy?: PolicyRules;
}

/** A non-human principal (CI, automation): authenticates with API keys only. */
export interface ServiceAccountConfig {
  id: string;
  name?: string;
  team?: string;
  roles: string[];
}

/** A role granted at an org node; it applies to that node and everything below it. */
export interface RoleBinding {
  role: string;
  at: OrgRef;
  subjects: string[]; // user emails, `group:<id>` or `service:<id>`
}

/** The scaling templates' inheritance rules; all default to true, security always enforced. */
export interface InheritanceRules {
  deny_overrides_allow: boolean;
  business_unit_overrides_general: boolean;
  security_policies_enforced: boolean;
}

/**
 * An API key, by the 12-character id inside it (`llmr_<id>…`). Only a budget may sit on a key: keys live
 * in the database, not in the org tree that rules, alerts and role bindings refer to.
 */
export interface KeyRef {
  level: 'key';
  id: string;
}

/**
 * A group of users (`groups:` in org/, which members list under `groups: [...]`; IdP groups map onto them
 * at sign-in). Only a budget may sit on a group: rules, alerts and role bindings name org nodes, and
 * role bindings name groups as subjects (`group:<id>`), never as places.
 */
export interface GroupRef {
  level: 'group';
  id: string;
}

/** Where a budget sits: a node of the org tree, one API key (`key:<id>`), or a group of users (`group:<id>`). */
export type BudgetScope = OrgRef | KeyRef | GroupRef;

export interface BudgetConfig {
  id: string;
  scope: BudgetScope;
  /** US dollars per period; exactly one of `amount` and `monthly_budget` (see budgetAmount). */
  amount?: number | undefined;
  /** US dollars per calendar month (UTC): the older spelling of `amount` with `period: monthly`. */
  monthly_budget?: number | undefined;
  /** UTC periods: days from midnight, weeks from Monday, months from the 1st. */
  period: 'daily' | 'weekly' | 'monthly';
  /** `pooled`: the scope shares the amount; `per_seat`: each user in the scope has the amount. */
  mode: 'pooled' | 'per_seat';
  /** Percentages of the budget at which alerts fire, ascending, each in (0, 100]. */
  alert_thresholds: number[];
  /**
   * The soft cap, in dollars per period, below the amount: past it a request is refused until an increase
   * is approved (`llm-rules budgets request|approve`); the amount stays the hard cap.
   */
  approval_required_above?: number;
  /**
   * Never from config: a user's spend limit set to "no limit" through the spend-limits API. It replaces
   * their per-seat budgets (as any budget of their own does) and caps nothing itself.
   */
  unlimited?: true;
}

/** A budget on an org node, as the org-wide views (spend limits, rollups) can show it. */
export type OrgBudgetConfig = BudgetConfig & { scope: OrgRef };

export function isOrgBudget(budget: BudgetConfig): budget is OrgBudgetConfig {
  return budget.scope.level !== 'key' && budget.scope.level !== 'group';
}

/**
 * The org node at which a budget is administered: its own scope, or for a key or group budget the tenant.
 * A key belongs to no node of the config (keys live in the database), and a group's members may sit in
 * any business unit or team, so only a tenant-wide grant reaches either.
 */
export function budgetAdminNode(scope: BudgetScope): OrgRef {
  return scope.level === 'key' || scope.level === 'group' ? { level: 'tenant' } : scope;
}

/** Dollars per period, whichever way the budget spells it. */
export function budgetAmount(budget: BudgetConfig): number {
  return budget.amount ?? budget.monthly_budget ?? 0;
}

/** `org/` merged from its files: hierarchy, role matrix and budgets of one tenant. */
export interface OrgConfig {
  tenant: { id: string; name: string };
  business_units: BusinessUnitConfig[];
  groups: GroupConfig[];
  service_accounts: ServiceAccountConfig[];
  role_bindings: RoleBinding[];
  inheritance: InheritanceRules;
  budgets: BudgetConfig[];
}

/** A markdown rule file from `rules/`, `rules-master/` or `tenants/<id>/rules/`. */
export interface RuleDocument {
  /** From frontmatter `id`, else the file name without `.md`. Unique per tenant. */
  id: string;
  /** Path relative to the `.claude/` directory, with forward slashes. */
  path: string;
  source: 'rules' | 'rules-master' | 'tenant';
  title?: string;
  /** Frontmatter as written (after validation), without `id` and `title`. */
  frontmatter: Record<string, unknown>;
  body: string;
}

/** A markdown file declared centrally: an agent definition (`agents/`) or a slash command (`commands/`). */
export interface MarkdownDefinition {
  /** The file name without `.md`: the agent's or the command's name. */
  name: string;
  /** Path relative to the `.claude/` directory. */
  path: string;
  frontmatter: Record<string, unknown>;
  body: string;
}

export interface ContextDocument {
  path: string;
  content: string;
}

/** `tenants/<id>/`: its own org (if any), config overrides merged onto the root config, rules and context. */
export interface TenantConfig {
  id: string;
  config: MainConfig;
  org?: OrgConfig;
  rules: RuleDocument[];
  context: ContextDocument[];
}

/** `tests/*.yaml`: policy test cases, run by `llm-rules test` (a later issue); stored verbatim. */
export interface PolicyTestCase {
  name: string;
  file: string;
  input: Record<string, unknown>;
  expect: Record<string, unknown>;
}

export interface PolicyConfig {
  format_version: 1;
  config: MainConfig;
  roles: Record<string, RoleDefinition>;
  alerts: AlertsConfig;
  org: OrgConfig;
  rules: RuleDocument[];
  tenants: TenantConfig[];
  tests: PolicyTestCase[];
  /**
   * `agents/*.md`, `commands/*.md` and `context/`: present only when the directory has files, so bundles
   * of configs without them keep their revisions.
   */
  agents?: MarkdownDefinition[];
  commands?: MarkdownDefinition[];
  context?: ContextDocument[];
}
