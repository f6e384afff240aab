// Verifies a tenant's hash chain and names the first bad record and the kind of tampering it shows.

import {
  type AuditChainPoint,
  type AuditRecord,
  auditRecordHash,
  GENESIS,
  type Sha256,
} from './audit-record.ts';

export type TamperKind =
  /** A record's content no longer matches its own hash. */
  | 'edited'
  /** A seq is missing: a record was removed. */
  | 'deleted'
  /** A record does not chain from its predecessor, or lies beyond the recorded head. */
  | 'inserted'
  /** A genuine record sits at another position than the one it was written at. */
  | 'reordered'
  /** Two records claim one seq. */
  | 'duplicated'
  /** The last records before the recorded head are gone. */
  | 'truncated'
  /** A record names another tenant. */
  | 'wrong_tenant';

export interface ChainProblem {
  /** The seq of the first bad record (for `deleted`/`truncated`: the first missing seq). */
  seq: number;
  kind: TamperKind;
  message: string;
}

export type ChainVerdict =
  | { ok: true; verified: number; last: AuditChainPoint }
  | { ok: false; verified: number; problem: ChainProblem };

export interface VerifyOptions {
  sha256: Sha256;
  tenantId?: string;
  /** Where the chain starts when retention removed its beginning; otherwise the genesis. */
  checkpoint?: AuditChainPoint;
  /** The head the store recorded; catches removed or forged records at the end of the chain. */
  head?: AuditChainPoint;
}

/** Checks records fed in seq order, in as many batches as the caller likes (a chain may not fit in memory). */
export class ChainVerifier {
  readonly #options: VerifyOptions;
  #last: AuditChainPoint;
  #verified = 0;
  #problem: ChainProblem | undefined;

  constructor(options: VerifyOptions) {
    this.#options = options;
    this.#last = options.checkpoint ?? GENESIS;
  }

  /** Returns the first problem found so far; once one is found, later records are ignored. */
  feed(records: readonly AuditRecord[]): ChainProblem | undefined {
    for (const record of records) {
      if (this.#problem) break;
      this.#problem = this.#check(record, records);
      if (!this.#problem) {
        this.#last = { seq: record.seq, hash: record.hash };
        this.#verified++;
      }
    }
    return this.#problem;
  }

  /** `head` (default: the one given at construction) is the store's record of the chain's end. */
  finish(head = this.#options.head): ChainVerdict {
    if (!this.#problem && head) {
      if (this.#last.seq > head.seq) {
        this.#problem = {
          seq: head.seq + 1,
          kind: 'inserted',
          message: `record ${head.seq + 1} lies beyond the chain head (seq ${head.seq})`,
        };
      } else if (head.seq > this.#last.seq) {
        this.#problem = {
          seq: this.#last.seq + 1,
          kind: 'truncated',
          message: `${head.seq > this.#last.seq + 1 ? `records ${this.#last.seq + 1}..${head.seq} are` : `record ${head.seq} is`} missing: the chain head is at seq ${head.seq}`,
        };
      } else if (head.seq === this.#last.seq && head.hash !== this.#last.hash) {
        this.#problem = {
          seq: head.seq,
          kind: 'edited',
          message: `record ${head.seq} does not have the hash the chain head recorded`,
        };
      }
    }
    return this.#problem
      ? { ok: false, verified: this.#verified, problem: this.#problem }
      : { ok: true, verified: this.#verified, last: this.#last };
  }

  #check(record: AuditRecord, batch: readonly AuditRecord[]): ChainProblem | undefined {
    const { sha256, tenantId } = this.#options;
    const expected = this.#last.seq + 1;
    const { seq } = record;
    if (tenantId !== undefined && record.tenantId !== tenantId) {
      return { seq, kind: 'wrong_tenant', message: `record ${seq} names tenant '${record.tenantId}'` };
    }
    if (seq === this.#last.seq) {
      return { seq, kind: 'duplicated', message: `seq ${seq} occurs twice` };
    }
    if (seq > expected) {
      if (batch.some((other) => other.seq === expected)) {
        return { seq, kind: 'reordered', message: `seq ${seq} comes before seq ${expected}` };
      }
      return {
        seq: expected,
        kind: 'deleted',
        message: `record ${expected}${seq - 1 > expected ? `..${seq - 1}` : ''} is missing (next present is ${seq})`,
      };
    }
    if (auditRecordHash(record, sha256) !== record.hash) {
      const writtenAt = this.#originalSeq(record, batch, expected);
      return writtenAt !== undefined
        ? {
            seq,
            kind: 'reordered',
            message: `the record at seq ${seq} was written as seq ${writtenAt}: records were reordered`,
          }
        : { seq, kind: 'edited', message: `record ${seq} does not match its hash: its content was changed` };
    }
    if (seq < expected) {
      return { seq, kind: 'reordered', message: `seq ${seq} follows seq ${this.#last.seq}` };
    }
    if (record.prevHash !== this.#last.hash) {
      return {
        seq,
        kind: 'inserted',
        message: `record ${seq} does not chain from record ${this.#last.seq}: a record was inserted or replaced`,
      };
    }
    return undefined;
  }

  /** Which seq (among those nearby) the record's hash was computed with, if not its current one. */
  #originalSeq(record: AuditRecord, batch: readonly AuditRecord[], expected: number): number | undefined {
    const candidates = new Set<number>([expected, expected + 1, expected - 1]);
    for (const other of batch) candidates.add(other.seq);
    candidates.delete(record.seq);
    for (const candidate of candidates) if (this.#hashesAs(record, candidate)) return candidate;
    return undefined;
  }

  #hashesAs(record: AuditRecord, seq: number): boolean {
    return auditRecordHash({ ...record, seq }, this.#options.sha256) === record.hash;
  }
}

/** Verifies a whole chain in memory: records in seq order, as the store lists them. */
export function verifyChain(records: readonly AuditRecord[], options: VerifyOptions): ChainVerdict {
  const verifier = new ChainVerifier(options);
  verifier.feed(records);
  return verifier.finish();
}
