// A real Prometheus scrapes the server, with the bearer token from a credentials file as docs/metrics.md
// shows, and its query API then answers with the hook decisions the server counted.
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  METRICS_TOKEN,
  type MetricsServer,
  prometheusBinary,
  sendTraffic,
  startMetricsServer,
} from './support/metrics-traffic.ts';
import { freePort } from './support/oidc-idp.ts';
import { tempDir } from './support/temp-dir.ts';
import { waitFor } from './support/wait-for.ts';

const PROMETHEUS = prometheusBinary('prometheus', 'the real Prometheus scrape of /metrics');

interface QueryAnswer {
  status: string;
  data: { result: { metric: Record<string, string>; value: [number, string] }[] };
}

describe.skipIf(!PROMETHEUS)('Prometheus scraping /metrics', () => {
  let target: MetricsServer;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let prometheus: ChildProcess | undefined;
  let prometheusUrl: string;
  let log = '';

  beforeAll(async () => {
    target = await startMetricsServer();
    await sendTraffic(target);
    dir = await tempDir('llm-rules-prometheus-');
    const tokenFile = join(dir.path, 'metrics-token');
    await writeFile(tokenFile, METRICS_TOKEN, { mode: 0o600 });
    const configFile = join(dir.path, 'prometheus.yml');
    await writeFile(
      configFile,
      [
        'global:',
        '  scrape_interval: 1s',
        '  scrape_timeout: 1s',
        'scrape_configs:',
        '  - job_name: llm-rules',
        '    authorization:',
        `      credentials_file: ${tokenFile}`,
        '    static_configs:',
        `      - targets: ['${new URL(target.server.url).host}']`,
        '',
      ].join('\n'),
    );
    const port = await freePort();
    prometheusUrl = `http://127.0.0.1:${port}`;
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${join(dir.path, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    prometheus.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
    });
  }, 15_000);

  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((resolve) => prometheus!.once('exit', resolve));
      prometheus.kill('SIGTERM');
      const timer = setTimeout(() => prometheus!.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await target?.close();
    await dir?.remove();
  });

  async function query(promql: string): Promise<QueryAnswer['data']['result']> {
    try {
      const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`);
      if (!response.ok) return [];
      return ((await response.json()) as QueryAnswer).data.result;
    } catch {
      return []; // not listening yet
    }
  }

  it('scrapes with the token and stores the hook decisions by outcome', async () => {
    let denied: QueryAnswer['data']['result'] = [];
    await waitFor(
      async () => {
        if (prometheus?.exitCode !== null) throw new Error(`prometheus exited: ${log}`);
        denied = await query('llm_rules_hook_decisions_total{job="llm-rules",outcome="deny"}');
        return denied.length > 0;
      },
      15_000,
      250,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; prometheus said: ${log}`);
    });
    expect(denied[0]!.metric).toMatchObject({ event: 'PreToolUse', outcome: 'deny' });
    expect(denied[0]!.value[1]).toBe('1');
    const up = await query('up{job="llm-rules"}');
    expect(up[0]!.value[1]).toBe('1');
    const cost = await query('sum(llm_rules_gateway_cost_usd_total{job="llm-rules"})');
    expect(Number(cost[0]!.value[1])).toBeGreaterThan(0);
  }, 20_000);
});
