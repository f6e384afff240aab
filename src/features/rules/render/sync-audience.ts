// Who a project's rules are rendered for: the tenant (default: the root org's), a team and its business
// unit when named, the tenant's default agent, and the project's repository and tech stacks. Path-scoped
// rules are rendered with their scoping, so the directory is left open.
import type { PolicyConfig } from '../../../config/policy-config.ts';
import { ValidationError } from '../../../core/errors/app-error.ts';
import { tenantOrg } from '../../../core/policy/tenant-org.ts';
import type { RuleAudience } from '../../../core/rules/rule-audience.ts';
import { tenantConfig } from '../../bundles/tenant-config.ts';

export interface AudienceChoice {
  tenantId?: string | undefined;
  teamId?: string | undefined;
  businessUnitId?: string | undefined;
  repository: string | null;
  techStacks: readonly string[];
}

export function syncAudience(config: PolicyConfig, choice: AudienceChoice): RuleAudience {
  const tenantId = choice.tenantId ?? config.org.tenant.id;
  const org = tenantOrg(config, tenantId);
  if (!org) {
    const known = [config.org.tenant.id, ...config.tenants.map((t) => t.id)];
    throw new ValidationError(
      `tenant '${tenantId}' is not in the policy bundle (tenants: ${known.join(', ')})`,
      {
        field: 'tenant',
      },
    );
  }
  const units = org.business_units;
  let businessUnitId = choice.businessUnitId ?? null;
  if (businessUnitId !== null && !units.some((unit) => unit.id === businessUnitId)) {
    throw new ValidationError(
      `business unit '${businessUnitId}' is not in tenant ${tenantId} (business units: ${listOf(units.map((u) => u.id))})`,
      { field: 'business-unit' },
    );
  }
  const teamId = choice.teamId ?? null;
  if (teamId !== null) {
    const unit = units.find((u) => u.teams.some((team) => team.id === teamId));
    if (!unit) {
      const teams = units.flatMap((u) => u.teams.map((team) => team.id));
      throw new ValidationError(`team '${teamId}' is not in tenant ${tenantId} (teams: ${listOf(teams)})`, {
        field: 'team',
      });
    }
    if (businessUnitId !== null && businessUnitId !== unit.id) {
      throw new ValidationError(
        `team '${teamId}' belongs to business unit '${unit.id}', not '${businessUnitId}'; leave --business-unit out`,
        { field: 'business-unit' },
      );
    }
    businessUnitId = unit.id;
  }
  return {
    tenantId,
    businessUnitId,
    teamId,
    agent: tenantConfig(config, tenantId)?.policy.default_agent ?? 'developer',
    repository: choice.repository,
    techStacks: [...choice.techStacks],
    projectPath: null,
  };
}

function listOf(ids: readonly string[]): string {
  return ids.length > 0 ? ids.join(', ') : 'none';
}
