import type { Kysely } from 'kysely';
import type { Engine } from '../columns.ts';
import type { TableSpec } from '../table-spec.ts';
import { createTable, flag, ref, req } from '../table-spec.ts';

/**
 * Per-exercise grader configuration, set by staff: the harness tree, the command run in the work
 * directory, the sandbox limits, and which result convention the harness follows. The reference
 * solution is the exercise's own `solution_tree_id`; it is not repeated here.
 */
const graders = {
  name: 'graders',
  columns: {
    exercise_id: ref('exercises', true, { unique: true }),
    convention: req('text'),
    /** JSON array of strings: argv of the main process, run with cwd = the work directory. */
    command: req('json'),
    harness_tree_id: ref('file_trees', false),
    wall_seconds: req('int', { default: 60 }),
    cpu_seconds: req('int', { default: 30 }),
    memory_mb: req('int', { default: 512 }),
    processes: req('int', { default: 64 }),
    output_bytes: req('int', { default: 1024 * 1024 }),
    file_size_mb: req('int', { default: 16 }),
    /** Hive: run the reference solution first, to check the harness itself. */
    check_solution: flag(),
    created_at: req('timestamp'),
    updated_at: req('timestamp'),
  },
  checks: [
    "convention IN ('native', 'autolab', 'inginious', 'hive')",
    'wall_seconds > 0 AND cpu_seconds > 0 AND memory_mb > 0 AND processes > 0 AND output_bytes > 0 AND file_size_mb > 0',
  ],
} as const satisfies TableSpec;

export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  await createTable(db, engine, graders, new Set(['exercises', 'file_trees']));
}
