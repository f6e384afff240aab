// Security incidents from the audit chain: tool calls denied or sent to a person by policy, and prompts
// blocked for carrying credentials, by day, user and tool, read a page at a time.
import type { Storage } from '../../storage/ports.ts';

export interface IncidentCounts {
  denied_tool_calls: number;
  asked_tool_calls: number;
  blocked_prompts: number;
  by_day: { day: string; denied: number; asked: number; blocked_prompts: number }[];
  by_user: { user: string; denied: number; asked: number; blocked_prompts: number }[];
  /** The tools most denied. */
  by_tool: { tool: string; denied: number }[];
}

const PAGE = 5_000;
const TOP = 10;

export async function incidentCounts(
  storage: Pick<Storage, 'audit'>,
  tenantId: string,
  from: Date,
  to: Date,
  /** Only records of these users (a reader's teams); all when absent. */
  users?: ReadonlySet<string>,
): Promise<IncidentCounts> {
  const totals = { denied_tool_calls: 0, asked_tool_calls: 0, blocked_prompts: 0 };
  const days = new Map<string, { denied: number; asked: number; blocked_prompts: number }>();
  const people = new Map<string, { denied: number; asked: number; blocked_prompts: number }>();
  const tools = new Map<string, number>();
  const bump = <K>(map: Map<K, { denied: number; asked: number; blocked_prompts: number }>, key: K) => {
    const found = map.get(key);
    if (found) return found;
    const entry = { denied: 0, asked: 0, blocked_prompts: 0 };
    map.set(key, entry);
    return entry;
  };
  for (const event of ['decision', 'prompt_blocked'] as const) {
    let afterSeq: number | undefined;
    for (;;) {
      const page = await storage.audit.list(tenantId, {
        event,
        since: from,
        until: to,
        limit: PAGE,
        ...(afterSeq === undefined ? {} : { afterSeq }),
      });
      for (const record of page) {
        const user = record.user ?? '(unknown)';
        if (users && !users.has(user.toLowerCase())) continue;
        const day = bump(days, record.timestamp.toISOString().slice(0, 10));
        const person = bump(people, user);
        if (event === 'prompt_blocked') {
          totals.blocked_prompts++;
          day.blocked_prompts++;
          person.blocked_prompts++;
        } else if (record.context.outcome === 'deny') {
          totals.denied_tool_calls++;
          day.denied++;
          person.denied++;
          const tool = typeof record.context.tool === 'string' ? record.context.tool : '(unknown)';
          tools.set(tool, (tools.get(tool) ?? 0) + 1);
        } else if (record.context.outcome === 'ask') {
          totals.asked_tool_calls++;
          day.asked++;
          person.asked++;
        }
      }
      if (page.length < PAGE) break;
      afterSeq = page.at(-1)!.seq;
    }
  }
  const nonzero = (c: { denied: number; asked: number; blocked_prompts: number }) =>
    c.denied + c.asked + c.blocked_prompts > 0;
  return {
    ...totals,
    by_day: [...days]
      .filter(([, c]) => nonzero(c))
      .map(([day, c]) => ({ day, ...c }))
      .sort((a, b) => a.day.localeCompare(b.day)),
    by_user: [...people]
      .filter(([, c]) => nonzero(c))
      .map(([user, c]) => ({ user, ...c }))
      .sort(
        (a, b) =>
          b.denied + b.blocked_prompts - (a.denied + a.blocked_prompts) || a.user.localeCompare(b.user),
      )
      .slice(0, TOP),
    by_tool: [...tools]
      .map(([tool, denied]) => ({ tool, denied }))
      .sort((a, b) => b.denied - a.denied || a.tool.localeCompare(b.tool))
      .slice(0, TOP),
  };
}
