// The starter config.yaml: every section with its defaults and a comment on what it does.

export const STARTER_CONFIG_YAML = `# LLM-RULES configuration. Reference: docs/configuration.md
# Values may use \${ENV_VAR} or \${ENV_VAR:-default}; write $\${ for a literal "\${".

security:
  api_keys:
    enabled: true
    rotation_days: 90          # keys older than this are flagged for rotation
    key_storage: env           # vault | env | file
  # Single sign-on for the console and the gateway /login flow. Uncomment and fill in.
  # oauth:
  #   provider: oidc           # okta | auth0 | azure_ad | oidc
  #   issuer: https://idp.example.com
  #   client_id: \${OIDC_CLIENT_ID}
  #   client_secret: \${OIDC_CLIENT_SECRET}
  #   scopes: [openid, profile, email]

# One profile per agent. tools: read, write, edit, search, bash, web, mcp, agent, or Claude Code
# tool names (Read, Edit, Bash, WebFetch, mcp__server__tool). files / deny: globs or Claude Code
# permission rules such as Read(./.env). commands: Bash prefix rules. domains: hostnames, *.x allowed.
agent_routing:
  developer:
    description: Writes and refactors application code
    model: sonnet
    permissions:
      tools: [read, write, search, bash, WebFetch] # WebFetch: only to the domains below
      files: [src/**, test/**]
      deny: [.env*, secrets/**]
      commands: [npm run test:*, npm run lint, git status, git diff *]
      domains: [registry.npmjs.org, docs.github.com]
      mcp: []
  qa:
    description: Runs and writes tests
    permissions:
      tools: [read, search, bash]
      files: [test/**, src/**]
      deny: [.env*, secrets/**]
      commands: [npm test, npm run test:*]
  analyst:
    description: Reads code and data, changes nothing
    permissions:
      tools: [read, search]
      files: ['**']
      deny: [.env*, secrets/**]

multi_tenant:
  enabled: false
  isolation: strict            # strict | shared_rules | shared_context
  tenant_config_path: .claude/tenants/{tenant_id}/

limits:
  max_context_tokens: 200000
  max_sessions_per_day: 100    # per user
  max_tool_calls_per_session: 500
  max_file_size: 10485760      # bytes (10 MB)

audit:
  enabled: true
  log_level: info              # debug | info | warn | error
  events: [agent_activation, tool_use, file_access, rule_modification, config_change, prompt_submit, session, budget, admin_action]
  retention_days: 365

gdpr:
  enabled: false
  data_retention_days: 365
  auto_delete_expired: false
  export_format: json          # json | csv | ndjson

caching:
  context:
    enabled: true
    ttl_seconds: 3600
    max_size_mb: 100
  rules:
    enabled: true
    ttl_seconds: 3600
    max_size_mb: 50
    preload: [example-conventions]   # rule ids (or globs over them) loaded at start

policy:
  decision: deny               # when no rule decides: deny | ask | defer
  default_agent: developer     # the agent profile for calls whose hook names no agent
  security: true               # these rules hold everywhere: nothing below the tenant relaxes them
  deny: [Read(.env*), Edit(.env*), Read(secrets/**), Edit(secrets/**), "Bash(git push --force:*)"]
  ask: [Bash(git push:*)]      # Claude Code permission rules; see docs/configuration.md
`;
