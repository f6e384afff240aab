// Runs the lean HTTP load generator (`http-load-worker.cjs`, raw keep-alive sockets, in the manner of wrk)
// in its own thread, so it does not share the server's event loop.
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Stats } from '../measure.ts';

const LOAD_WORKER = fileURLToPath(new URL('./http-load-worker.cjs', import.meta.url));

export interface LoadPlan {
  name: string;
  url: string;
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  /** One body per request, warm-up first; null for bodiless requests. */
  bodies: string[] | null;
  /** Requests per second on a fixed schedule (latency counted from when each was due); none: closed loop. */
  rate?: number;
}

export interface LoadResult {
  stats: Stats;
  /** `STATUS BODY` of every request, warm-up included, in the order they were issued. */
  answers: string[];
}

export interface LoadShape {
  warmUp: number;
  total: number;
  concurrency: number;
}

function isLoadMessage(
  value: unknown,
): value is { samples: Float64Array; totalMs: number; answers: string[] } {
  return (
    typeof value === 'object' &&
    value !== null &&
    'samples' in value &&
    value.samples instanceof Float64Array &&
    'totalMs' in value &&
    typeof value.totalMs === 'number' &&
    'answers' in value &&
    Array.isArray(value.answers)
  );
}

export async function loadWith(plan: LoadPlan, shape: LoadShape): Promise<LoadResult> {
  const { name, ...rest } = plan;
  const target = new URL(rest.url);
  const worker = new Worker(LOAD_WORKER, {
    workerData: {
      host: target.hostname,
      port: Number(target.port),
      method: rest.method,
      path: rest.path,
      headers: rest.headers,
      bodies: rest.bodies,
      warmUp: shape.warmUp,
      total: shape.total,
      concurrency: shape.concurrency,
      rate: rest.rate,
    },
  });
  const [message]: unknown[] = await once(worker, 'message');
  await worker.terminate();
  if (!isLoadMessage(message)) throw new Error('the load generator answered with an unexpected message');
  const { samples, totalMs, answers } = message;
  samples.sort();
  const at = (q: number) => samples[Math.min(shape.total - 1, Math.floor(q * shape.total))]!;
  return {
    answers,
    stats: {
      name,
      iterations: shape.total,
      meanUs: (totalMs * 1000) / shape.total,
      p50Us: at(0.5),
      p99Us: at(0.99),
      opsPerSec: Math.round(shape.total / (totalMs / 1000)),
    },
  };
}
