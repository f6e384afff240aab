// The `anthropic-ratelimit-unified-*` headers the Claude Code gateway protocol uses to tell a developer
// where they stand against their spend caps (gateway-protocol.md, "Usage-limit headers").

import type { BudgetPeriod } from './budget-period.ts';

export interface CapStanding {
  spentMicro: number;
  limitMicro: number;
  resetsAt: Date;
  period: BudgetPeriod;
  /** A budget the user shares with their group (a pool), rather than their own cap. */
  pooled: boolean;
}

const PREFIX = 'anthropic-ratelimit-unified-';
const unixSeconds = (date: Date) => String(Math.floor(date.getTime() / 1000));

export function utilizationOf(cap: CapStanding): number {
  return cap.limitMicro <= 0 ? 1 : cap.spentMicro / cap.limitMicro;
}

/** The cap to describe on an allowed request: the fullest. */
export function fullestCap(caps: readonly CapStanding[]): CapStanding | undefined {
  let fullest: CapStanding | undefined;
  for (const cap of caps) if (!fullest || utilizationOf(cap) > utilizationOf(fullest)) fullest = cap;
  return fullest;
}

/** On a successful response: Claude Code shows its usage notice past 75% and again past 95%. */
export function allowedHeaders(cap: CapStanding): Readonly<Record<string, string>> {
  const used = utilizationOf(cap);
  // What the headers say: the hundredths shown, the band (below 75 %, below 95 %, above), the reset.
  const hundredths = Math.min(Math.floor(used * 100), 99);
  const band = used >= 0.95 ? 2 : used >= 0.75 ? 1 : 0;
  const resetMs = cap.resetsAt.getTime();
  const last = lastAllowed;
  if (last && last.hundredths === hundredths && last.band === band && last.resetMs === resetMs)
    return last.headers;
  const status = band > 0 ? 'allowed_warning' : 'allowed';
  const reset = unixSeconds(cap.resetsAt);
  // Literal names (PREFIX spelled out): built on every successful answer, where computed keys cost more.
  const headers: Record<string, string> = {
    'anthropic-ratelimit-unified-status': status,
    'anthropic-ratelimit-unified-representative-claim': 'overage',
    'anthropic-ratelimit-unified-overage-status': status,
    // Kept below 1 while requests are still allowed.
    'anthropic-ratelimit-unified-overage-utilization': (hundredths / 100).toFixed(2),
    'anthropic-ratelimit-unified-reset': reset,
    'anthropic-ratelimit-unified-overage-reset': reset,
  };
  if (band === 2) headers[`${PREFIX}overage-surpassed-threshold`] = '0.95';
  else if (band === 1) headers[`${PREFIX}overage-surpassed-threshold`] = '0.75';
  lastAllowed = { hundredths, band, resetMs, headers };
  return headers;
}

/**
 * The headers last made, given again while they would read the same: a developer's requests one after
 * another nearly always do (a hundredth of a cap is many requests). Shared, so read only.
 */
let lastAllowed:
  | { hundredths: number; band: number; resetMs: number; headers: Readonly<Record<string, string>> }
  | undefined;

/**
 * On the 429 that refuses a request. `representative-claim` and `overage-status` are left off so the
 * client prints our message as it is, and `x-should-retry: false` keeps SDKs from retrying into the block.
 */
export function rejectedHeaders(cap: CapStanding, now: Date): Record<string, string> {
  const headers: Record<string, string> = {
    'retry-after': String(Math.max(1, Math.ceil((cap.resetsAt.getTime() - now.getTime()) / 1000))),
    'x-should-retry': 'false',
    [`${PREFIX}status`]: 'rejected',
    [`${PREFIX}reset`]: unixSeconds(cap.resetsAt),
    [`${PREFIX}overage-reset`]: unixSeconds(cap.resetsAt),
    [`${PREFIX}overage-utilization`]: '1',
    [`${PREFIX}overage-surpassed-threshold`]: '1',
    [`${PREFIX}overage-period`]: cap.period,
    [`${PREFIX}overage-disabled-reason`]: 'org_spend_cap_reached',
  };
  if (cap.pooled) headers[`${PREFIX}overage-scope`] = 'group_pool';
  return headers;
}

/** When the counters cannot be read and the gateway fails closed. */
export function fetchErrorHeaders(): Record<string, string> {
  return { 'x-should-retry': 'false', [`${PREFIX}overage-disabled-reason`]: 'fetch_error' };
}
