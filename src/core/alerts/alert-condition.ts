// Alert conditions (`error_rate > 5%`, `daily_cost > $100`): parsed once, then tested against a metric's value.

export type ComparisonOperator = '>' | '>=' | '<' | '<=' | '==' | '!=';

/** How the threshold was written: `90%`, `$100`, or a plain number. */
export type ThresholdUnit = 'percent' | 'usd' | 'number';

export interface AlertCondition {
  metric: string;
  operator: ComparisonOperator;
  /**
   * In the metric's own terms: a percentage is a fraction (`90%` is 0.9, so ratio metrics such as
   * `error_rate` report 0.05 for 5 %), dollars are dollars (`$100` is 100).
   */
  threshold: number;
  unit: ThresholdUnit;
}

export interface ConditionError {
  message: string;
  hint?: string;
}

export type ParsedCondition = { ok: true; condition: AlertCondition } | { ok: false; error: ConditionError };

const CONDITION = /^([a-z_][a-z0-9_.]*)\s*(>=|<=|==|!=|>|<)\s*(\$)?(\d+(?:\.\d+)?)(%)?$/i;

export function parseAlertCondition(text: string): ParsedCondition {
  const match = CONDITION.exec(text.trim());
  if (!match) {
    return {
      ok: false,
      error: {
        message: `invalid alert condition "${text}"`,
        hint: 'write <metric> <op> <number>, e.g. "context_usage > 90%", "daily_cost > $100"',
      },
    };
  }
  const [, metric, operator, dollar, digits, percent] = match;
  if (dollar && percent) {
    return {
      ok: false,
      error: { message: `a condition value cannot be both dollars and a percentage: "${text}"` },
    };
  }
  const number = Number(digits);
  if (percent && number > 100) {
    return { ok: false, error: { message: `a percentage above 100 never fires: "${text}"` } };
  }
  const unit: ThresholdUnit = percent ? 'percent' : dollar ? 'usd' : 'number';
  return {
    ok: true,
    condition: {
      metric: metric!,
      operator: operator as ComparisonOperator,
      threshold: unit === 'percent' ? number / 100 : number,
      unit,
    },
  };
}

/** Whether `value` (in the metric's terms) satisfies the condition. */
export function conditionHolds(condition: AlertCondition, value: number): boolean {
  const { threshold } = condition;
  switch (condition.operator) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    case '==':
      return value === threshold;
    case '!=':
      return value !== threshold;
  }
}

/** A value as the condition writes it: `7.5%`, `$123.40`, `42`. */
export function formatMetricValue(value: number, unit: ThresholdUnit): string {
  if (unit === 'percent') return `${round(value * 100, 2)}%`;
  if (unit === 'usd') return `$${value.toFixed(2)}`;
  return String(round(value, 4));
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
