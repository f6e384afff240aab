// `llm-rules budgets request|approve|deny|list`: increases past a budget's soft cap (`approval_required_above`).
// Who runs the command (LLM_RULES_ACTOR, else the login name) is the requester or the approver; each step
// is a `budget` audit event.

import { systemClock } from '../core/clock/clock.ts';
import { parseDuration } from '../core/credentials/duration.ts';
import { ValidationError } from '../core/errors/app-error.ts';
import { formatDollars } from '../core/pricing/usage-cost.ts';
import { AuditLog } from '../features/audit/audit-log.ts';
import { BudgetIncreases } from '../features/budgets/budget-increases.ts';
import {
  type BudgetIncrease,
  type BudgetIncreaseStatus,
  INCREASE_ID,
} from '../storage/budget-increase-port.ts';
import type { CliIo } from './cli-io.ts';
import { actorFromEnv } from './environment.ts';
import { withStorage } from './open-storage.ts';
import { parseFlags, stringFlag, UsageError } from './parse-flags.ts';

const USAGE = `llm-rules budgets request BUDGET --amount DOLLARS --reason TEXT [--user EMAIL] [--tenant T]
       llm-rules budgets approve ID [--expires 7d] [--note TEXT] [--tenant T]
       llm-rules budgets deny ID [--note TEXT] [--tenant T]
       llm-rules budgets list [--status pending|approved|denied] [--budget ID] [--tenant T] [--json]
  (all take --data DIR; DATABASE_URL selects PostgreSQL; LLM_RULES_ACTOR says who you are)`;

const FLAGS = {
  data: { type: 'string' },
  tenant: { type: 'string' },
  user: { type: 'string' },
  amount: { type: 'string' },
  reason: { type: 'string' },
  expires: { type: 'string' },
  note: { type: 'string' },
  status: { type: 'string' },
  budget: { type: 'string' },
  json: { type: 'boolean' },
} as const;

const ACTIONS = ['request', 'approve', 'deny', 'list'];
const STATUSES: readonly BudgetIncreaseStatus[] = ['pending', 'approved', 'denied'];

export async function budgetsCommand(args: string[], io: CliIo): Promise<number> {
  const [action, ...rest] = args;
  const { values, positionals } = parseFlags(rest, FLAGS, USAGE);
  const flag = (name: keyof typeof FLAGS) => stringFlag(values, name);
  // Everything that can be checked without the store is checked before it is opened.
  if (!ACTIONS.includes(action ?? ''))
    throw new UsageError(`unknown budgets action '${action ?? ''}'\n\nusage: ${USAGE}`);
  const target = positionals[0];
  if (action !== 'list' && !target) {
    const what = action === 'request' ? 'a budget id' : 'an increase id (see `llm-rules budgets list`)';
    throw new UsageError(`budgets ${action} needs ${what}\n\nusage: ${USAGE}`);
  }
  if ((action === 'approve' || action === 'deny') && !INCREASE_ID.test(target!)) {
    throw new ValidationError(`"${target}" is not an increase id; they look like inc_0123456789ab.`, {
      field: 'id',
    });
  }
  const amount = action === 'request' ? dollars(flag('amount')) : undefined;
  if (action === 'request' && flag('reason') === undefined)
    throw new UsageError(`budgets request needs --reason TEXT\n\nusage: ${USAGE}`);
  const expires = flag('expires');
  const ttlMs = expires ? parseDuration(expires, '--expires') : undefined;
  const status = flag('status');
  if (status !== undefined && !STATUSES.includes(status as BudgetIncreaseStatus)) {
    throw new ValidationError(`--status must be one of ${STATUSES.join(', ')}, got "${status}".`, {
      field: 'status',
    });
  }
  const by = actorFromEnv(io.env);
  const tenantId = flag('tenant');

  return withStorage(io, flag('data'), async (storage) => {
    const audit = new AuditLog(storage.audit);
    try {
      const increases = new BudgetIncreases(storage, audit, systemClock);
      switch (action) {
        case 'request': {
          const made = await increases.request({
            tenantId,
            budgetId: target!,
            user: flag('user'),
            amountDollars: amount!,
            reason: flag('reason')!,
            by,
          });
          io.stdout(made.id);
          io.stderr(
            `Requested ${formatDollars(made.amountMicro)} more on ${made.counterKey} (tenant ${made.tenantId}) as ${by}.\nAnother admin approves it with: llm-rules budgets approve ${made.id}`,
          );
          return 0;
        }
        case 'approve': {
          const done = await increases.approve({ tenantId, id: target!, by, ttlMs, note: flag('note') });
          io.stdout(
            `✓ Approved ${done.id}: ${formatDollars(done.amountMicro)} more on ${done.counterKey} until ${done.expiresAt!.toISOString()}; the gateway applies it within seconds.`,
          );
          return 0;
        }
        case 'deny': {
          const done = await increases.deny({ tenantId, id: target!, by, note: flag('note') });
          io.stdout(`✓ Denied ${done.id} (${formatDollars(done.amountMicro)} on ${done.counterKey}).`);
          return 0;
        }
        default: {
          const rows = await increases.list(tenantId, {
            ...(status ? { status: status as BudgetIncreaseStatus } : {}),
            ...(flag('budget') ? { budgetId: flag('budget')! } : {}),
          });
          io.stdout(values.json ? JSON.stringify(rows, null, 2) : formatTable(rows));
          return 0;
        }
      }
    } finally {
      await audit.close();
    }
  });
}

function dollars(text: string | undefined): number {
  const value = text === undefined ? Number.NaN : Number(text.replace(/^\$/, ''));
  if (!Number.isFinite(value) || value <= 0) {
    throw new ValidationError(`--amount must be a positive number of dollars, got "${text ?? ''}".`, {
      field: 'amount',
    });
  }
  return value;
}

function formatTable(rows: BudgetIncrease[]): string {
  if (rows.length === 0) return 'No budget increases.';
  const header =
    'ID                TENANT        COUNTER                             AMOUNT       STATUS    BY / DECIDED BY               UNTIL';
  const lines = rows.map((r) =>
    [
      r.id.padEnd(17),
      r.tenantId.padEnd(13),
      r.counterKey.padEnd(35),
      formatDollars(r.amountMicro).padEnd(12),
      r.status.padEnd(9),
      `${r.requestedBy}${r.decidedBy ? ` / ${r.decidedBy}` : ''}`.padEnd(29),
      r.expiresAt?.toISOString() ?? '',
    ].join(' '),
  );
  return [header, ...lines].join('\n');
}
