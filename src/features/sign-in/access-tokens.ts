// The access tokens Claude Code gets from `/login`: short-lived JWTs (ES256) naming the tenant, the user
// and the sign-in session, signed with a key that rotates. Keys live in the store, their private half
// encrypted with the master key, so every instance of a fleet signs and verifies alike; a key retired
// from signing still verifies the tokens it signed until they have expired.
import { randomBytes } from 'node:crypto';
import {
  type CryptoKey,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';
import type { SignInStore, SigningKey } from '../../storage/sign-in-port.ts';
import type { MasterKey } from './master-key.ts';

const ALG = 'ES256';
/** Who issues and who accepts the tokens: this server, whatever host name it is reached by. */
export const TOKEN_ISSUER = 'llm-rules';
export const TOKEN_AUDIENCE = 'llm-rules';
/** Clocks of client, server and database drift; a token is accepted this far either side of its times. */
const CLOCK_TOLERANCE_S = 60;
/** Keys are read again from the store at most this often, or at once for a token naming an unknown kid. */
const RELOAD_MS = 60_000;
const KEY_PURPOSE = 'signing-key';

export interface AccessClaims {
  tenantId: string;
  userId: string;
  email: string;
  sessionId: string;
  expiresAt: Date;
}

export interface AccessTokenOptions {
  ttlMs: number;
  rotationMs: number;
}

interface LoadedKey {
  record: SigningKey;
  verify: CryptoKey | Uint8Array;
  sign?: CryptoKey | Uint8Array;
}

export class AccessTokens {
  #keys: LoadedKey[] = [];
  #loadedAt = Number.NEGATIVE_INFINITY;
  #loading: Promise<void> | undefined;

  constructor(
    private readonly store: SignInStore,
    private readonly master: MasterKey,
    /** Read at each use: a newly applied bundle may change them. */
    private readonly options: () => AccessTokenOptions,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async issue(claims: Omit<AccessClaims, 'expiresAt'>): Promise<{ token: string; expiresAt: Date }> {
    const now = this.clock();
    const key = await this.#signingKey(now);
    // Whole seconds, as the token's `exp` says.
    const expiresAt = new Date(Math.floor((now.getTime() + this.options().ttlMs) / 1000) * 1000);
    const token = await new SignJWT({ tid: claims.tenantId, sid: claims.sessionId, email: claims.email })
      .setProtectedHeader({ alg: ALG, kid: key.record.kid, typ: 'at+jwt' })
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setSubject(claims.userId)
      .setIssuedAt(Math.floor(now.getTime() / 1000))
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .setJti(randomBytes(12).toString('hex'))
      .sign(key.sign!);
    return { token, expiresAt };
  }

  /**
   * The claims of a token this deployment signed and that has not expired; undefined for anything else
   * (another algorithm, `none`, a foreign issuer or audience, a bad signature, an unknown key).
   */
  async verify(token: string, options: { ignoreExpiry?: boolean } = {}): Promise<AccessClaims | undefined> {
    try {
      const now = this.clock();
      const { payload } = await jwtVerify(token, (header) => this.#verifyingKey(header.kid, now), {
        algorithms: [ALG],
        issuer: TOKEN_ISSUER,
        audience: TOKEN_AUDIENCE,
        typ: 'at+jwt',
        clockTolerance: CLOCK_TOLERANCE_S,
        currentDate: options.ignoreExpiry ? new Date(0) : now,
      });
      return claimsOf(payload);
    } catch {
      return undefined;
    }
  }

  /** The public keys, for `/oauth/jwks.json`. */
  async publicKeys(): Promise<JWK[]> {
    await this.#load(this.clock(), false);
    return this.#keys.map((k) => ({
      ...(JSON.parse(k.record.publicJwk) as JWK),
      kid: k.record.kid,
      alg: ALG,
      use: 'sig',
    }));
  }

  async #signingKey(now: Date): Promise<LoadedKey> {
    await this.#load(now, false);
    const current = this.#keys.find((k) => k.sign && k.record.retiresAt > now);
    if (current) return current;
    await this.#rotate(now);
    await this.#load(now, true);
    const made = this.#keys.find((k) => k.sign && k.record.retiresAt > now);
    if (!made) throw new Error('no signing key could be made');
    return made;
  }

  async #verifyingKey(kid: string | undefined, now: Date): Promise<CryptoKey | Uint8Array> {
    if (!kid) throw new Error('a token must name its key');
    let key = this.#keys.find((k) => k.record.kid === kid);
    if (!key) {
      await this.#load(now, true);
      key = this.#keys.find((k) => k.record.kid === kid);
    }
    if (!key || key.record.expiresAt <= now) throw new Error('unknown or expired signing key');
    return key.verify;
  }

  async #rotate(now: Date): Promise<void> {
    const { publicKey, privateKey } = await generateKeyPair(ALG, { extractable: true });
    const { rotationMs, ttlMs } = this.options();
    const retiresAt = new Date(now.getTime() + rotationMs);
    // Instances racing here each add a key; tokens signed by any of them verify everywhere.
    await this.store.addSigningKey({
      kid: `k_${randomBytes(8).toString('hex')}`,
      alg: ALG,
      publicJwk: JSON.stringify(await exportJWK(publicKey)),
      privateJwk: this.master.encrypt(JSON.stringify(await exportJWK(privateKey)), KEY_PURPOSE),
      createdAt: now,
      retiresAt,
      expiresAt: new Date(retiresAt.getTime() + ttlMs + CLOCK_TOLERANCE_S * 1000),
    });
  }

  async #load(now: Date, force: boolean): Promise<void> {
    if (!force && now.getTime() - this.#loadedAt < RELOAD_MS) return;
    this.#loading ??= (async () => {
      try {
        const records = await this.store.signingKeys(now);
        const keys: LoadedKey[] = [];
        for (const record of records) {
          const verify = await importJWK(JSON.parse(record.publicJwk) as JWK, record.alg);
          const privateJwk = this.master.decrypt(record.privateJwk, KEY_PURPOSE);
          // A key this instance cannot decrypt (another master key) still verifies; it never signs.
          const sign = privateJwk ? await importJWK(JSON.parse(privateJwk) as JWK, record.alg) : undefined;
          keys.push({ record, verify, ...(sign ? { sign } : {}) });
        }
        this.#keys = keys;
        this.#loadedAt = now.getTime();
      } finally {
        this.#loading = undefined;
      }
    })();
    await this.#loading;
  }
}

function claimsOf(payload: JWTPayload): AccessClaims | undefined {
  const { tid, sid, email, sub, exp } = payload as JWTPayload & {
    tid?: unknown;
    sid?: unknown;
    email?: unknown;
  };
  if (
    typeof tid !== 'string' ||
    typeof sid !== 'string' ||
    typeof sub !== 'string' ||
    typeof exp !== 'number'
  )
    return undefined;
  return {
    tenantId: tid,
    userId: sub,
    email: typeof email === 'string' ? email : sub,
    sessionId: sid,
    expiresAt: new Date(exp * 1000),
  };
}
