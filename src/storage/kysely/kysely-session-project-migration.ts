// Migration 0014: what a session's project told the SessionStart hook (repository, tech stacks, project
// directory), so SubagentStart and later events choose rules for the same project on any instance.
import type { Kysely, Migration } from 'kysely';

export function sessionProjectSchema(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('sessions').addColumn('project', 'text').execute();
    },
  };
}
