// What the format renderers receive and return: the rules and agents chosen for one project, and the
// files (paths relative to the project) each coding agent reads.
import type { AgentProfile, MarkdownDefinition, RuleDocument } from '../../../config/policy-config.ts';

export interface AgentToRender {
  name: string;
  profile: AgentProfile;
  /** `agents/<name>.md` from the config repository, when it declares one. */
  definition: MarkdownDefinition | undefined;
  /** The rules that name this agent in `applies_to.agents`, in priority order. */
  rules: readonly RuleDocument[];
}

export interface SyncContent {
  revision: string;
  /** The tenant's display name, for headings. */
  orgName: string;
  /** The rules for the project's main thread (the tenant's default agent), in priority order. */
  rules: readonly RuleDocument[];
  agents: readonly AgentToRender[];
  commands: readonly MarkdownDefinition[];
}

export interface PlannedFile {
  /** Relative to the target directory, with forward slashes. */
  path: string;
  content: string;
  /**
   * `marker` (default): sync owns the file only while it carries the generated-file header.
   * `always`: a file that cannot carry one (JSON) and that sync owns outright.
   */
  ownership?: 'marker' | 'always';
}

/** A directory where a format keeps one generated file per rule, agent or command. */
export interface GeneratedLocation {
  dir: string;
  suffix: string;
}

export interface SyncFormat {
  name: string;
  render(content: SyncContent): PlannedFile[];
  /** Where its generated files live, so that ones no longer produced can be found and removed. */
  locations: readonly GeneratedLocation[];
}
