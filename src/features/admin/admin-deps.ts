// What the admin routes work with: the stores and the services that already enforce the rules of each
// area (keys, budget increases, roll-outs), so the API adds authorization, not a second set of rules.
import type { Clock } from '../../core/clock/clock.ts';
import type { Storage } from '../../storage/ports.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { ActiveBundle } from '../bundles/active-bundle.ts';
import type { PolicyCache } from '../hooks/policy-cache.ts';
import type { KeysService } from '../keys/keys-service.ts';

export interface AdminDeps {
  storage: Storage;
  keys: KeysService;
  audit: AuditLog;
  bundle: ActiveBundle;
  policies: PolicyCache;
  clock: Clock;
  /** This server's environment: `${VAR}` references of uploaded config resolve against it, as at `apply`. */
  env: Readonly<Record<string, string | undefined>>;
}
