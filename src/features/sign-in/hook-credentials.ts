// The credential a signed-in developer's hooks present. Claude Code sends hook events with the headers
// written in its managed settings, not with its gateway sign-in, so the settings served to each
// developer carry one of their own: `llmr_hk_<tenant>.<user>.<mac>`, an HMAC under a key derived from the
// master key. Nothing is stored; it names its owner, who must still be an active member; it is good for
// hooks only (never for model calls); rotating the master key changes every one (see docs/security.md).
import { timingSafeEqual } from 'node:crypto';
import type { MasterKey } from './master-key.ts';

const PREFIX = 'llmr_hk_';
const PURPOSE = 'hook-credential';

export interface HookCredentialOwner {
  tenantId: string;
  userId: string;
}

export class HookCredentials {
  constructor(private readonly master: MasterKey) {}

  issue(owner: HookCredentialOwner): string {
    const body = `${encode(owner.tenantId)}.${encode(owner.userId)}`;
    return `${PREFIX}${body}.${this.master.mac(body, PURPOSE)}`;
  }

  /** Its owner, when this server issued it; undefined for anything else. */
  owner(presented: string): HookCredentialOwner | undefined {
    if (!presented.startsWith(PREFIX)) return undefined;
    const [tenant, user, mac] = presented.slice(PREFIX.length).split('.');
    if (!tenant || !user || !mac) return undefined;
    const expected = Buffer.from(this.master.mac(`${tenant}.${user}`, PURPOSE));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    return { tenantId: decode(tenant), userId: decode(user) };
  }

  static looksLikeOne(presented: string): boolean {
    return presented.startsWith(PREFIX);
  }
}

const encode = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
const decode = (text: string) => Buffer.from(text, 'base64url').toString('utf8');
