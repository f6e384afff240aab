// Unit and property tests of the hash chain: valid chains verify; every kind of tampering is named.

import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../bundles/canonical-json.ts';
import { auditEntry, chainOf } from './audit-chain-fixtures.ts';
import { type AuditRecord, auditHashInput, chainEntries, GENESIS, GENESIS_HASH } from './audit-record.ts';
import { ChainVerifier, verifyChain } from './verify-chain.ts';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const T = 'acme';
const headOf = (records: AuditRecord[]) => {
  const last = records.at(-1);
  return last ? { seq: last.seq, hash: last.hash } : GENESIS;
};
const verify = (records: AuditRecord[], head = headOf(records)) =>
  verifyChain(records, { sha256, tenantId: T, head });

describe('chainEntries', () => {
  it('numbers from 1, chains from the genesis and hashes the canonical form of every other field', () => {
    const records = chainOf(T, 3, sha256);
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(records[0]!.prevHash).toBe(GENESIS_HASH);
    expect(records[1]!.prevHash).toBe(records[0]!.hash);
    const { hash, ...rest } = records[0]!;
    expect(hash).toBe(sha256(auditHashInput(rest)));
    expect(auditHashInput(rest)).toMatch(/^\{"agent":null,"bundleRevision":null,"context":\{/);
  });

  it('builds the hash input as exactly the canonical JSON of every field but the hash', () => {
    fc.assert(
      fc.property(
        fc.record({
          tenantId: fc.string(),
          seq: fc.nat(),
          timestamp: fc.date({ noInvalidDate: true }),
          event: fc.constantFrom('auth' as const, 'decision' as const),
          user: fc.option(fc.string()),
          agent: fc.option(fc.string()),
          sessionId: fc.option(fc.string()),
          bundleRevision: fc.option(fc.string()),
          context: fc.dictionary(fc.string(), fc.jsonValue()) as fc.Arbitrary<AuditRecord['context']>,
          prevHash: fc.string(),
        }),
        (record) => {
          const { timestamp, ...rest } = record;
          expect(auditHashInput(record)).toBe(canonicalJson({ ...rest, timestamp: timestamp.toISOString() }));
        },
      ),
    );
  });

  it('continues from a head and normalizes the context to what a store reads back', () => {
    const [record] = chainEntries(
      T,
      { seq: 41, hash: 'ab'.repeat(32) },
      [auditEntry(1, { context: { at: new Date(0), gone: undefined, b: 1, a: [undefined] } as never })],
      sha256,
    );
    expect(record).toMatchObject({ seq: 42, prevHash: 'ab'.repeat(32) });
    expect(record!.context).toEqual({ a: [null], at: '1970-01-01T00:00:00.000Z', b: 1 });
  });

  it('refuses unknown events, invalid timestamps and non-object contexts', () => {
    expect(() => chainEntries(T, GENESIS, [auditEntry(1, { event: 'nope' as never })], sha256)).toThrow(
      /not an audit event/,
    );
    expect(() =>
      chainEntries(T, GENESIS, [auditEntry(1, { timestamp: new Date(Number.NaN) })], sha256),
    ).toThrow(/valid Date/);
    expect(() => chainEntries(T, GENESIS, [auditEntry(1, { context: [] as never })], sha256)).toThrow(
      /JSON object/,
    );
  });
});

describe('verifyChain', () => {
  const records = chainOf(T, 8, sha256);

  it('accepts a valid chain, an empty one, and one that starts at a checkpoint', () => {
    expect(verify(records)).toEqual({ ok: true, verified: 8, last: headOf(records) });
    expect(verify([])).toMatchObject({ ok: true, verified: 0 });
    const checkpoint = { seq: 3, hash: records[2]!.hash };
    expect(verifyChain(records.slice(3), { sha256, checkpoint, head: headOf(records) })).toMatchObject({
      ok: true,
      verified: 5,
    });
    expect(verifyChain(records.slice(3), { sha256 })).toMatchObject({
      ok: false,
      problem: { seq: 1, kind: 'deleted' },
    });
  });

  it('names an edited record', () => {
    const edited = records.map((r) => (r.seq === 4 ? { ...r, context: { tool: 'Write' } } : r));
    expect(verify(edited)).toMatchObject({ ok: false, verified: 3, problem: { seq: 4, kind: 'edited' } });
  });

  it('names the first missing record of a deletion, and a truncated tail', () => {
    const deleted = records.filter((r) => r.seq !== 5 && r.seq !== 6);
    expect(verify(deleted, headOf(records))).toMatchObject({
      ok: false,
      problem: { seq: 5, kind: 'deleted', message: 'record 5..6 is missing (next present is 7)' },
    });
    expect(verify(records.slice(0, 6), headOf(records))).toMatchObject({
      ok: false,
      problem: { seq: 7, kind: 'truncated' },
    });
  });

  it('names an inserted record, in the middle or beyond the head', () => {
    const forged = chainEntries(T, { seq: 3, hash: records[2]!.hash }, [auditEntry(99)], sha256)[0]!;
    const renumbered = records.map((r) => (r.seq > 3 ? { ...r, seq: r.seq + 1 } : r));
    const inserted = [...renumbered.slice(0, 3), forged, ...renumbered.slice(3)];
    expect(verify(inserted, headOf(records))).toMatchObject({ ok: false, problem: { seq: 5 } });
    const appended = chainEntries(T, headOf(records), [auditEntry(100)], sha256);
    expect(verify([...records, ...appended], headOf(records))).toMatchObject({
      ok: false,
      problem: { seq: 9, kind: 'inserted' },
    });
    const replaced = records.map((r) => (r.seq === 2 ? { ...forged, seq: 2, prevHash: r.prevHash } : r));
    expect(verify(replaced).ok).toBe(false);
  });

  it('names reordered records: swapped seqs, or swapped positions', () => {
    const swappedSeq = records.map((r) =>
      r.seq === 3 ? { ...r, seq: 4 } : r.seq === 4 ? { ...r, seq: 3 } : r,
    );
    swappedSeq.sort((a, b) => a.seq - b.seq);
    expect(verify(swappedSeq)).toMatchObject({
      ok: false,
      problem: {
        seq: 3,
        kind: 'reordered',
        message: 'the record at seq 3 was written as seq 4: records were reordered',
      },
    });
    const swappedPosition = [...records];
    [swappedPosition[2], swappedPosition[3]] = [swappedPosition[3]!, swappedPosition[2]!];
    expect(verify(swappedPosition)).toMatchObject({ ok: false, problem: { seq: 4, kind: 'reordered' } });
  });

  it('names a duplicated seq and a record of another tenant', () => {
    const duplicated = [...records.slice(0, 3), records[2]!, ...records.slice(3)];
    expect(verify(duplicated)).toMatchObject({ ok: false, problem: { seq: 3, kind: 'duplicated' } });
    const foreign = chainOf('other', 8, sha256);
    expect(verify([records[0]!, foreign[1]!, ...records.slice(2)])).toMatchObject({
      ok: false,
      problem: { seq: 2, kind: 'wrong_tenant' },
    });
  });

  it('verifies in batches exactly as in one go', () => {
    const verifier = new ChainVerifier({ sha256, head: headOf(records) });
    for (let i = 0; i < records.length; i += 3) verifier.feed(records.slice(i, i + 3));
    expect(verifier.finish()).toEqual(verify(records));
  });
});

type Mutation =
  | {
      kind: 'edit';
      index: number;
      field: 'context' | 'user' | 'timestamp' | 'event' | 'prevHash' | 'hash' | 'seq';
    }
  | { kind: 'delete'; index: number }
  | { kind: 'insert'; index: number }
  | { kind: 'swap'; index: number; other: number }
  | { kind: 'duplicate'; index: number };

function mutate(records: AuditRecord[], m: Mutation): AuditRecord[] {
  const out = [...records];
  const r = out[m.index]!;
  switch (m.kind) {
    case 'edit': {
      const changes: Record<typeof m.field, Partial<AuditRecord>> = {
        context: { context: { ...r.context, injected: true } },
        user: { user: `${r.user}x` },
        timestamp: { timestamp: new Date(r.timestamp.getTime() + 1) },
        event: { event: r.event === 'auth' ? 'session' : 'auth' },
        prevHash: { prevHash: sha256(r.prevHash) },
        hash: { hash: sha256(r.hash) },
        seq: { seq: r.seq + 1000 },
      };
      out[m.index] = { ...r, ...changes[m.field] };
      return out;
    }
    case 'delete':
      out.splice(m.index, 1);
      return out;
    case 'insert': {
      const previous = m.index === 0 ? GENESIS : { seq: out[m.index - 1]!.seq, hash: out[m.index - 1]!.hash };
      out.splice(m.index, 0, chainEntries(T, previous, [auditEntry(500)], sha256)[0]!);
      return out;
    }
    case 'swap':
      [out[m.index], out[m.other]] = [out[m.other]!, out[m.index]!];
      return out;
    case 'duplicate':
      out.splice(m.index, 0, r);
      return out;
  }
}

describe('property: any single mutation of a valid chain is detected', () => {
  it('holds for edits, deletions, insertions, swaps and duplicates anywhere', () => {
    const fields = ['context', 'user', 'timestamp', 'event', 'prevHash', 'hash', 'seq'] as const;
    const arb = fc.integer({ min: 2, max: 12 }).chain((n) =>
      fc.tuple(
        fc.constant(n),
        fc.oneof(
          fc.record({
            kind: fc.constant('edit' as const),
            index: fc.nat(n - 1),
            field: fc.constantFrom(...fields),
          }),
          fc.record({ kind: fc.constant('delete' as const), index: fc.nat(n - 1) }),
          fc.record({ kind: fc.constant('insert' as const), index: fc.nat(n) }),
          fc
            .tuple(fc.nat(n - 1), fc.nat(n - 1))
            .filter(([a, b]) => a !== b)
            .map(([index, other]) => ({ kind: 'swap' as const, index, other })),
          fc.record({ kind: fc.constant('duplicate' as const), index: fc.nat(n - 1) }),
        ),
      ),
    );
    const chains = new Map<number, AuditRecord[]>();
    fc.assert(
      fc.property(arb, ([n, mutation]) => {
        const records = chains.get(n) ?? chainOf(T, n, sha256);
        chains.set(n, records);
        const verdict = verify(mutate(records, mutation as Mutation), headOf(records));
        expect(verdict.ok).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});
