import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { minimalPolicyConfig } from '../../../test/support/minimal-policy-config.ts';
import { createStorage } from '../../storage/create-storage.ts';
import type { Storage } from '../../storage/ports.ts';
import { ActiveBundle } from './active-bundle.ts';
import { bundleRevision } from './bundle-revision.ts';

function recordingLogger() {
  const errors: string[] = [];
  return { errors, info: () => {}, error: (_obj: object, msg: string) => errors.push(msg) };
}

describe('ActiveBundle', () => {
  let storage: Storage;
  beforeEach(async () => {
    storage = await createStorage({ memory: true });
    await storage.migrate();
  });
  afterEach(async () => {
    await storage.close();
  });

  async function publish(marker: number, revisionOverride?: string) {
    const content = minimalPolicyConfig();
    content.config.limits.max_tool_calls_per_session = marker;
    const revision = revisionOverride ?? bundleRevision(content);
    await storage.bundles.put({ revision, content, createdAt: new Date(), createdBy: 'test' });
    await storage.bundles.activate(revision, 'test', new Date());
    return revision;
  }

  it('loads the active bundle at start and follows every activation, in order', async () => {
    const first = await publish(1);
    const active = new ActiveBundle(storage, recordingLogger());
    await active.start();
    expect(active.current()?.revision).toBe(first);
    const seen: number[] = [];
    active.onChange((b) => seen.push(b.content.config.limits.max_tool_calls_per_session));
    await publish(2);
    await publish(3);
    await active.refresh();
    expect(active.current()?.content.config.limits.max_tool_calls_per_session).toBe(3);
    expect(seen.at(-1)).toBe(3);
    active.stop();
  });

  it('keeps the last good bundle when the active one does not match its revision', async () => {
    const good = await publish(1);
    const logger = recordingLogger();
    const active = new ActiveBundle(storage, logger);
    await active.start();
    await publish(2, 'f'.repeat(64)); // content whose sha256 is not its revision
    await active.refresh();
    expect(active.current()?.revision).toBe(good);
    expect(logger.errors).toContain('could not load the active policy bundle; keeping the last good one');
    active.stop();
  });

  it('isolates a failing listener from the others', async () => {
    await publish(1);
    const logger = recordingLogger();
    const active = new ActiveBundle(storage, logger);
    await active.start();
    const heard: string[] = [];
    active.onChange(() => {
      throw new Error('listener bug');
    });
    active.onChange((b) => heard.push(b.revision));
    const next = await publish(2);
    await active.refresh();
    expect(heard).toEqual([next]);
    expect(logger.errors).toContain('a bundle change listener failed');
    active.stop();
  });
});
