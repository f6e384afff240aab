// Raising a budget past its soft cap (`approval_required_above`): one person requests an increase, another
// approves or denies it; every step is a `budget` audit event. An approved increase counts on one counter
// (the pool, one seat, or one key's cap) for the rest of its period or until it expires, and never past
// the budget's amount.

import { type BudgetConfig, budgetAmount } from '../../config/policy-config.ts';
import { applicableBudgets } from '../../core/budgets/applicable-budgets.ts';
import { periodWindow } from '../../core/budgets/budget-period.ts';
import type { Clock } from '../../core/clock/clock.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../core/errors/app-error.ts';
import { formatDollars } from '../../core/pricing/usage-cost.ts';
import type { BudgetIncrease, BudgetIncreaseStatus } from '../../storage/budget-increase-port.ts';
import type { Storage } from '../../storage/ports.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { tenantBudgets } from '../bundles/tenant-config.ts';
import { memberBudgetSubject } from '../sign-in/identity-mapping.ts';

export type IncreaseAuditSink = Pick<AuditLog, 'record'>;

export interface IncreaseRequestInput {
  /** Found from the budget id when the bundle has one tenant with that budget. */
  tenantId?: string | undefined;
  budgetId: string;
  /** The seat, for a per-seat budget. */
  user?: string | undefined;
  amountDollars: number;
  reason: string;
  by: string;
}

export interface IncreaseDecisionInput {
  tenantId?: string | undefined;
  id: string;
  by: string;
  /** Shortens an approval; it never outlives its period. */
  ttlMs?: number | undefined;
  note?: string | undefined;
}

type Deps = Pick<Storage, 'budgetIncreases' | 'bundles' | 'org' | 'signIn'>;

export class BudgetIncreases {
  constructor(
    private readonly storage: Deps,
    private readonly audit: IncreaseAuditSink,
    private readonly clock: Clock,
  ) {}

  async request(input: IncreaseRequestInput): Promise<BudgetIncrease> {
    const now = this.clock.now();
    if (!input.reason.trim()) {
      throw new ValidationError(
        'An increase needs a reason (--reason): the approver and the audit log see it.',
        {
          field: 'reason',
        },
      );
    }
    const { tenantId, budget, budgets } = await this.#budget(input.tenantId, input.budgetId);
    const counterKey = await this.#counterKey(tenantId, budget, budgets, input.user, now);
    const periodStart = periodWindow(budget.period, now).start;
    const amountMicro = toMicro(input.amountDollars);
    if (!(amountMicro > 0)) {
      throw new ValidationError('--amount must be more than 0.', { field: 'amount' });
    }
    await this.#checkRoom(tenantId, budget, counterKey, periodStart, amountMicro, now);
    const made = await this.storage.budgetIncreases.request({
      tenantId,
      budgetId: budget.id,
      counterKey,
      periodStart,
      amountMicro,
      reason: input.reason.trim(),
      requestedBy: input.by,
      at: now,
    });
    await this.#record('increase_requested', made, input.by);
    return made;
  }

  async approve(input: IncreaseDecisionInput): Promise<BudgetIncrease> {
    const now = this.clock.now();
    const pending = await this.#pending(input.tenantId, input.id);
    if (pending.requestedBy === input.by) {
      throw new ValidationError(
        `${input.by} requested ${pending.id} and so cannot approve it; another admin must (set LLM_RULES_ACTOR to who you are).`,
        { field: 'by' },
      );
    }
    // The budget as it is now: it may have lost its soft cap or moved to another period length since.
    const { budget } = await this.#budget(pending.tenantId, pending.budgetId);
    const periodEnd = periodWindow(budget.period, pending.periodStart).end;
    if (
      periodEnd <= now ||
      pending.periodStart.getTime() !== periodWindow(budget.period, now).start.getTime()
    ) {
      throw new ValidationError(
        `${pending.id} was for the period from ${pending.periodStart.toISOString()}, which has ended; request a new increase.`,
        { field: 'id' },
      );
    }
    // Checked again: other increases may have been approved since this one was requested.
    await this.#checkRoom(
      pending.tenantId,
      budget,
      pending.counterKey,
      pending.periodStart,
      pending.amountMicro,
      now,
    );
    const expiresAt = new Date(
      Math.min(periodEnd.getTime(), now.getTime() + (input.ttlMs ?? Number.POSITIVE_INFINITY)),
    );
    return this.#decide(pending, {
      status: 'approved',
      by: input.by,
      at: now,
      expiresAt,
      ...note(input.note),
    });
  }

  /** Also how a requester withdraws their own request. */
  async deny(input: IncreaseDecisionInput): Promise<BudgetIncrease> {
    const pending = await this.#pending(input.tenantId, input.id);
    return this.#decide(pending, {
      status: 'denied',
      by: input.by,
      at: this.clock.now(),
      ...note(input.note),
    });
  }

  async list(
    tenantId: string | undefined,
    filter: { status?: BudgetIncreaseStatus; budgetId?: string },
  ): Promise<BudgetIncrease[]> {
    const tenants = tenantId ? [tenantId] : (await this.storage.org.listTenants()).map((t) => t.id);
    const rows = await Promise.all(tenants.map((t) => this.storage.budgetIncreases.list(t, filter)));
    return rows.flat().sort((a, b) => b.at.getTime() - a.at.getTime());
  }

  async #decide(
    pending: BudgetIncrease,
    decision: Parameters<Deps['budgetIncreases']['decide']>[2],
  ): Promise<BudgetIncrease> {
    const decided = await this.storage.budgetIncreases.decide(pending.tenantId, pending.id, decision);
    if (!decided) throw new NotFoundError('increase', pending.id);
    // Someone else decided it between our read and our write: theirs stands.
    if (decided.decidedBy !== decision.by || decided.status !== decision.status) alreadyDecided(decided);
    await this.#record(
      decision.status === 'approved' ? 'increase_approved' : 'increase_denied',
      decided,
      decision.by,
    );
    return decided;
  }

  async #pending(tenantId: string | undefined, id: string): Promise<BudgetIncrease> {
    const tenants = tenantId ? [tenantId] : (await this.storage.org.listTenants()).map((t) => t.id);
    for (const t of tenants) {
      const found = await this.storage.budgetIncreases.get(t, id);
      if (found) {
        if (found.status !== 'pending') alreadyDecided(found);
        return found;
      }
    }
    throw new NotFoundError('increase', id, tenantId ? `tenant ${tenantId}` : undefined);
  }

  /** The soft cap plus every approved increase may reach the amount, never pass it. */
  async #checkRoom(
    tenantId: string,
    budget: BudgetConfig,
    counterKey: string,
    periodStart: Date,
    amountMicro: number,
    now: Date,
  ): Promise<void> {
    const soft = toMicro(softCapOf(budget));
    const hard = toMicro(budgetAmount(budget));
    const approved = (await this.storage.budgetIncreases.approved(tenantId, now))
      .filter((a) => a.counterKey === counterKey && a.periodStart.getTime() === periodStart.getTime())
      .reduce((sum, a) => sum + a.amountMicro, 0);
    const room = Math.max(0, hard - soft - approved);
    if (amountMicro > room) {
      const already = approved > 0 ? ` and ${formatDollars(approved)} already approved` : '';
      throw new ValidationError(
        `--amount must be at most ${formatDollars(room)}: budget "${budget.id}" has a soft cap of ${formatDollars(soft)}${already}, and a hard cap of ${formatDollars(hard)}; to go further, raise its amount in the config.`,
        { field: 'amount' },
      );
    }
  }

  /** The budget in the active bundle, and the tenant it belongs to. */
  async #budget(
    tenantId: string | undefined,
    budgetId: string,
  ): Promise<{ tenantId: string; budget: BudgetConfig; budgets: BudgetConfig[] }> {
    const revision = await this.storage.bundles.activeRevision();
    const bundle = revision ? await this.storage.bundles.get(revision) : undefined;
    if (!bundle) throw new NotFoundError('budget', budgetId, 'the active policy (none is applied yet)');
    const tenants = tenantId
      ? [tenantId]
      : [bundle.content.org.tenant.id, ...bundle.content.tenants.map((t) => t.id)];
    const found = tenants.flatMap((t) => {
      const budgets = tenantBudgets(bundle.content, t);
      const budget = budgets.find((b) => b.id === budgetId);
      return budget ? [{ tenantId: t, budget, budgets }] : [];
    });
    if (found.length === 0) {
      throw new NotFoundError('budget', budgetId, tenantId ? `tenant ${tenantId}` : 'the active policy');
    }
    if (found.length > 1) {
      throw new ValidationError(
        `budget "${budgetId}" exists in tenants ${found.map((f) => f.tenantId).join(', ')}; choose one with --tenant.`,
        { field: 'tenant' },
      );
    }
    return found[0]!;
  }

  /** The pool's counter, or the seat's: a per-seat budget needs the user, a pooled one must not get one. */
  async #counterKey(
    tenantId: string,
    budget: BudgetConfig,
    budgets: BudgetConfig[],
    user: string | undefined,
    now: Date,
  ): Promise<string> {
    if (budget.mode !== 'per_seat') {
      if (user) {
        const what =
          budget.scope.level === 'key'
            ? `on key ${budget.scope.id}: an increase raises that key's cap`
            : `pooled: an increase raises it for its whole ${budget.scope.level === 'group' ? 'group' : 'scope'}`;
        throw new ValidationError(`budget "${budget.id}" is ${what}; leave out --user.`, { field: 'user' });
      }
      return budget.id;
    }
    if (!user) {
      throw new ValidationError(`budget "${budget.id}" is per seat: say whose seat with --user EMAIL.`, {
        field: 'user',
      });
    }
    const record = await this.storage.org.getUser(tenantId, user.toLowerCase());
    if (!record) throw new NotFoundError('user', user, `tenant ${tenantId}`);
    const tenantGroups = await this.storage.org.listGroups(tenantId);
    const subject = await memberBudgetSubject(this.storage.signIn, tenantGroups, record, now);
    const seat = applicableBudgets(budgets, subject, now).find((b) => b.budget === budget);
    if (!seat) {
      const scope = budget.scope;
      const outside =
        scope.level === 'group' ? `outside its scope (not in group "${scope.id}")` : 'outside its scope';
      throw new ValidationError(
        `budget "${budget.id}" does not apply to ${record.id}: they are ${outside} or have a budget of their own.`,
        { field: 'user' },
      );
    }
    return seat.key;
  }

  async #record(action: string, inc: BudgetIncrease, by: string): Promise<void> {
    await this.audit.record(inc.tenantId, {
      event: 'budget',
      user: by,
      context: {
        action,
        increase_id: inc.id,
        budget: inc.budgetId,
        counter: inc.counterKey,
        period_start: inc.periodStart.toISOString(),
        amount_micro: inc.amountMicro,
        reason: inc.reason,
        requested_by: inc.requestedBy,
        ...(inc.expiresAt ? { expires_at: inc.expiresAt.toISOString() } : {}),
        ...(inc.note ? { note: inc.note } : {}),
      },
    });
  }
}

function softCapOf(budget: BudgetConfig): number {
  if (budget.approval_required_above === undefined) {
    throw new ValidationError(
      `budget "${budget.id}" has no soft cap (approval_required_above), so there is nothing to approve: its amount is a hard cap; raise it in the config.`,
      { field: 'budget' },
    );
  }
  return budget.approval_required_above;
}

function alreadyDecided(inc: BudgetIncrease): never {
  throw new ConflictError(
    `${inc.id} was already ${inc.status} by ${inc.decidedBy} at ${inc.decidedAt?.toISOString()}.`,
    { increase: inc.id, status: inc.status },
  );
}

const note = (text: string | undefined) => (text?.trim() ? { note: text.trim() } : {});
const toMicro = (dollars: number) => Math.round(dollars * 1_000_000);
