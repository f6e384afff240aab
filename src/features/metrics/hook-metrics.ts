// Hook decisions by event and outcome: counted where HooksService answers, as one addition.
import type { Registry } from 'prom-client';
import { HOOK_EVENTS } from '../hooks/hook-input.ts';
import type { HookVerdict } from '../hooks/hook-response.ts';
import { type CounterCell, CounterFamily, OTHER } from './counter-cells.ts';

/** What Claude Code was told: allow, deny, ask, stop, or none (no opinion, or not a decision event). */
export type HookOutcome = HookVerdict['kind'];

/** Where HooksService reports each answer. */
export interface HookDecisionCounter {
  decided(event: string, outcome: HookOutcome): void;
}

/** `Decide` is `POST /v1/decide`; any other event name a client invents is counted as `other`. */
const EVENTS = [...HOOK_EVENTS, 'Decide', OTHER];

export class HookMetrics implements HookDecisionCounter {
  readonly #family: CounterFamily<'event' | 'outcome'>;
  readonly #cells = new Map<string, Partial<Record<HookOutcome, CounterCell>>>();

  constructor(registry: Registry) {
    this.#family = new CounterFamily(registry, {
      name: 'llm_rules_hook_decisions_total',
      help: 'Hook events answered, by event and by what Claude Code was told (allow, deny, ask, stop, none).',
      labelNames: ['event', 'outcome'],
    });
    for (const event of EVENTS) this.#cells.set(event, {});
  }

  decided(event: string, outcome: HookOutcome): void {
    const known = this.#cells.get(event);
    const byOutcome = known ?? this.#cells.get(OTHER)!;
    const cell = byOutcome[outcome] ?? this.#add(known ? event : OTHER, outcome, byOutcome);
    cell.value++;
  }

  #add(event: string, outcome: HookOutcome, byOutcome: Partial<Record<HookOutcome, CounterCell>>) {
    const cell = this.#family.cell({ event, outcome });
    byOutcome[outcome] = cell;
    return cell;
  }
}
