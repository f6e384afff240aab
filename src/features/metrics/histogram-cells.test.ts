import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { HistogramFamily } from './histogram-cells.ts';

const BUCKETS = [0.001, 0.01, 0.1, 1, 10];
const SERIES = [
  { route: '/v1/messages', method: 'POST' },
  { route: '/v1/hooks/claude-code', method: 'POST' },
];
/** Values on, between, below and beyond the bounds. */
const VALUES = [0, 0.0005, 0.001, 0.0011, 0.01, 0.05, 0.1, 0.99, 1, 5, 10, 10.5, 300];

/** The same observations into prom-client's own histogram and into a family of cells. */
function both() {
  const ownRegistry = new Registry();
  const own = new Histogram({
    name: 'h',
    help: 'A histogram.',
    labelNames: ['route', 'method'],
    buckets: BUCKETS,
    registers: [ownRegistry],
  });
  const cellsRegistry = new Registry();
  const family = new HistogramFamily(cellsRegistry, {
    name: 'h',
    help: 'A histogram.',
    labelNames: ['route', 'method'],
    buckets: BUCKETS,
  });
  SERIES.forEach((labels, s) => {
    const cell = family.cell(labels);
    for (const [i, value] of VALUES.entries()) {
      if ((i + s) % 3 === 0) continue; // the series differ
      own.observe(labels, value);
      cell.observe(value);
    }
  });
  return { ownRegistry, cellsRegistry };
}

describe('HistogramFamily', () => {
  it("exports what prom-client's histogram exports for the same observations", async () => {
    const { ownRegistry, cellsRegistry } = both();
    expect(await cellsRegistry.metrics()).toBe(await ownRegistry.metrics());
    // As JSON: prom-client's types ask a metric object for a collect function its own objects lack.
    const asJson = async (registry: Registry) =>
      JSON.parse(JSON.stringify(await registry.getMetricsAsJSON()));
    expect(await asJson(cellsRegistry)).toEqual(await asJson(ownRegistry));
  });

  it('exports a series from its creation, at zero, and drops a value that is not a number', async () => {
    const registry = new Registry();
    const family = new HistogramFamily(registry, {
      name: 'h',
      help: 'A histogram.',
      labelNames: ['route'],
      buckets: BUCKETS,
    });
    const cell = family.cell({ route: '/a' });
    expect(await registry.metrics()).toContain('h_count{route="/a"} 0');
    cell.observe(Number.NaN);
    cell.observe(Number.POSITIVE_INFINITY);
    cell.observe(0.5);
    const text = await registry.metrics();
    expect(text).toContain('h_count{route="/a"} 1');
    expect(text).toContain('h_sum{route="/a"} 0.5');
    expect(text).toContain('h_bucket{le="1",route="/a"} 1');
    expect(text).toContain('h_bucket{le="0.1",route="/a"} 0');
  });

  it("is reset with the registry's resetMetrics", async () => {
    const { cellsRegistry } = both();
    cellsRegistry.resetMetrics();
    const text = await cellsRegistry.metrics();
    expect(text).toContain('h_count{route="/v1/messages",method="POST"} 0');
    expect(text).not.toMatch(/ [1-9][0-9.]*$/m);
  });
});
