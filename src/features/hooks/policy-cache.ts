// Compiles the active bundle's policy once per revision, so a decision never pays for compilation.
import { type CompiledPolicy, compilePolicy } from '../../core/policy/index.ts';
import type { ActiveBundle } from '../bundles/active-bundle.ts';

export class PolicyCache {
  private compiled: { revision: string; policy: CompiledPolicy } | undefined;

  constructor(private readonly bundle: ActiveBundle) {
    // Compile eagerly on activation, off the request path.
    bundle.onChange((loaded) => {
      this.compiled = { revision: loaded.revision, policy: compilePolicy(loaded.content, loaded.revision) };
    });
  }

  /** Undefined when no bundle is active: callers fail closed. */
  current(): CompiledPolicy | undefined {
    const loaded = this.bundle.current();
    if (!loaded) return undefined;
    if (this.compiled?.revision !== loaded.revision) {
      this.compiled = { revision: loaded.revision, policy: compilePolicy(loaded.content, loaded.revision) };
    }
    return this.compiled.policy;
  }
}
