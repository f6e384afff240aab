// Compiles the active bundle's policy, and any candidate's, once per revision, so a decision never
// pays for compilation.
import { type CompiledPolicy, compilePolicy } from '../../core/policy/index.ts';
import type { ActiveBundle, LoadedBundle, LoadedCandidate } from '../bundles/active-bundle.ts';

export interface CandidatePolicy {
  policy: CompiledPolicy;
  revision: string;
  mode: LoadedCandidate['mode'];
  percent: number;
}

export class PolicyCache {
  private readonly compiled = new Map<string, CompiledPolicy>();

  constructor(private readonly bundle: ActiveBundle) {
    // Compile eagerly on activation, off the request path.
    bundle.onChange((loaded) => {
      this.compile(loaded);
    });
  }

  /** Undefined when no bundle is active: callers fail closed. */
  current(): CompiledPolicy | undefined {
    const loaded = this.bundle.current();
    return loaded && this.compile(loaded);
  }

  candidate(): CandidatePolicy | undefined {
    const candidate = this.bundle.candidate();
    if (!candidate) return undefined;
    return {
      policy: this.compile(candidate),
      revision: candidate.revision,
      mode: candidate.mode,
      percent: candidate.percent,
    };
  }

  private compile(loaded: LoadedBundle): CompiledPolicy {
    let policy = this.compiled.get(loaded.revision);
    if (!policy) {
      policy = compilePolicy(loaded.content, loaded.revision);
      // Only the active bundle and one candidate are ever in use; older compilations can go.
      if (this.compiled.size >= 4) this.compiled.delete(this.compiled.keys().next().value!);
      this.compiled.set(loaded.revision, policy);
    }
    return policy;
  }
}
