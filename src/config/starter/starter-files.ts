// The starter .claude/ files other than config.yaml, keyed by their path inside the directory.

import { STARTER_CONFIG_YAML } from './starter-config-yaml.ts';

const PERMISSIONS_YAML = `# Roles: a list of resource:action permissions, or {description, permissions, inherits}.
# Resources: agents, rules, analytics, config, audit, budgets, keys, users, tenants, policy; * matches any.
roles:
  admin: [agents:*, rules:*, analytics:*, config:*]
  developer: [agents:developer, agents:qa, rules:read, analytics:read]
  viewer: [agents:read, rules:read, analytics:read]
  team-lead:
    description: A developer who also manages the team's budgets
    permissions: [budgets:read, budgets:write]
    inherits: [developer]
`;

const ALERTS_YAML = `# Alert rules: condition is <metric> <op> <number>, with % or a $ prefix.
alerts:
  - name: high_context_usage
    condition: context_usage > 90%
    severity: warning
    action: ops
  - name: high_error_rate
    condition: error_rate > 5%
    severity: critical
    for: 5m
    action: ops
  - name: daily_cost
    condition: daily_cost > $100
    severity: warning
    action: ops

# Where alerts go: webhook | slack | pagerduty | email.
channels:
  ops:
    type: webhook
    url: \${ALERT_WEBHOOK_URL:-https://hooks.example.com/llm-rules}
`;

const HIERARCHY_YAML = `# Your organization: tenant → business units → teams → members. Roles come from permissions.yaml.
tenant:
  id: example
  name: Example Corp

business_units:
  - id: engineering
    name: Engineering
    teams:
      - id: platform
        name: Platform
        members:
          - email: admin@example.com
            name: Admin
            roles: [admin]
          - email: dev@example.com
            name: Developer
            roles: [developer]
            groups: [engineers]

# IdP groups (SSO): members get these roles at bind_to (default: the whole tenant).
groups:
  - id: engineers
    idp_group: Engineering
    roles: [developer]
    bind_to: business_unit:engineering

inheritance:
  deny_overrides_allow: true
  business_unit_overrides_general: true
  security_policies_enforced: true
`;

const BUDGETS_YAML = `# Monthly budgets in US dollars; scope is tenant, business_unit:<id>, team:<id>, user:<email>, group:<group id> or key:<key id>.
budgets:
  - id: company
    scope: tenant
    monthly_budget: 5000
    alert_thresholds: [50, 80, 100]
  - id: platform-team
    scope: team:platform
    monthly_budget: 1000
    alert_thresholds: [75, 90]
    approval_required_above: 800 # past $800, spend needs an approved increase (llm-rules budgets)
`;

const EXAMPLE_RULE = `---
id: example-conventions
title: Example team conventions
applies_to:
  teams: [platform]
  paths: [src/**]
priority: 10
---
# Example team conventions

Rules are markdown. The optional frontmatter above says whom a rule applies to
(tenants, business_units, teams, agents, repositories, paths, tech_stacks).

- Write tests for every change.
- Never commit secrets; use environment variables.
`;

const EXAMPLE_TESTS = `# Policy test cases, run by \`llm-rules test\`.
- name: developer may not read .env
  input:
    user: dev@example.com
    agent: developer
    tool_name: Read
    tool_input: { file_path: .env }
  expect:
    decision: deny
- name: developer may read source
  input:
    user: dev@example.com
    agent: developer
    tool_name: Read
    tool_input: { file_path: src/index.ts }
  expect:
    decision: allow
`;

export const STARTER_FILES: Readonly<Record<string, string>> = {
  'config.yaml': STARTER_CONFIG_YAML,
  'permissions.yaml': PERMISSIONS_YAML,
  'alerts.yaml': ALERTS_YAML,
  'org/hierarchy.yaml': HIERARCHY_YAML,
  'org/budgets.yaml': BUDGETS_YAML,
  'rules/example-conventions.md': EXAMPLE_RULE,
  'tests/example.yaml': EXAMPLE_TESTS,
};
