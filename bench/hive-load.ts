/**
 * The course a checker's dashboard polls in bench:hive: one program with 4 modules × 10
 * exercises, 500 students in 10 classes, one assignment per student and exercise (20,000), and
 * 2,000 help threads. The course tree goes through the core services; the bulk rows are inserted
 * directly, in batches. A seeded generator makes both engines load the same data.
 */
import crypto from 'node:crypto';
import { microsToTimestamp, timestampToMicros } from '../src/core/clock.ts';
import type { Services } from '../src/core/services.ts';
import type { Db } from '../src/db/database.ts';

export const STUDENTS = 500;
export const CLASSES = 10;
export const MODULES = 4;
export const PER_MODULE = 10;
export const HELP_THREADS = 2000;
/** The share of rows staff touched after the dashboard's previous poll (its `last_staff_updated__gt`). */
export const RECENT = 0.03;
/** last_staff_updated is spread over this many days before the load. */
const SPREAD_DAYS = 30;
const BATCH = 500;

export interface HiveCourse {
  checker: { username: string; password: string };
  checkerId: number;
  subjectId: number;
  classIds: number[];
  assignmentIds: number[];
  /** A timestamp after which about RECENT of the assignments and help threads were changed by staff. */
  since: string;
}

/** mulberry32: small, fast and seeded, so each engine gets the same course. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

async function inBatches<T>(rows: T[], insert: (batch: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) await insert(rows.slice(i, i + BATCH));
}

export async function loadHiveCourse(services: Services): Promise<HiveCourse> {
  const db: Db = services.db;
  const random = seeded(20240501);
  const now = services.clock.now();
  // Everything happened before the load, so the benchmark's own writes are the newest.
  const end = timestampToMicros(now) - 60_000_000n;
  const spread = BigInt(SPREAD_DAYS * 86_400) * 1_000_000n;
  const start = end - spread;
  const at = (fraction: number) => microsToTimestamp(start + BigInt(Math.floor(fraction * Number(spread))));
  const since = at(1 - RECENT);

  const admin = await services.users.createTrusted({ username: 'bench_admin', password: crypto.randomUUID(), clearance: 5 });
  const actor = { id: admin.id, username: admin.username, clearance: 5 as const };
  const checker = { username: 'bench_checker', password: crypto.randomUUID() };
  const checkerRow = await services.users.createTrusted({ ...checker, clearance: 2, first_name: 'Bench', last_name: 'Checker' });
  const program = await services.programs.create(actor, { name: 'Bench program', checker_id: checkerRow.id });
  const subject = await services.subjects.create(actor, { course_id: program.id, symbol: 'B', name: 'Bench', color: '#123456' });
  const exerciseIds: number[] = [];
  for (let m = 0; m < MODULES; m++) {
    const module = await services.modules.create(actor, { subject_id: subject.id, name: `Module ${m}`, order: String(m) });
    for (let e = 0; e < PER_MODULE; e++) {
      exerciseIds.push((await services.exercises.create(actor, { module_id: module.id, name: `Exercise ${m}.${e}`, order: String(e) })).id);
    }
  }

  const classIds: number[] = [];
  for (let c = 0; c < CLASSES; c++) {
    const row = await db.insertInto('classes').values({ course_id: program.id, name: `Bench class ${c}`, created_at: now }).returning('id').executeTakeFirstOrThrow();
    classIds.push(row.id);
  }

  const students = Array.from({ length: STUDENTS }, (_, i) => ({
    username: `bench_student_${i}`,
    first_name: 'Student',
    last_name: String(i),
    clearance: 1,
    number: 100_000 + i,
    program_id: program.id,
    status_date: now,
    created_at: now,
  }));
  await inBatches(students, (batch) => db.insertInto('users').values(batch).execute());
  const studentIds = (await db.selectFrom('users').select('id').where('program_id', '=', program.id).where('clearance', '=', 1).orderBy('number').execute()).map((r) => r.id);
  await inBatches(
    studentIds.map((user_id, i) => ({ class_id: classIds[i % CLASSES]!, user_id })),
    (batch) => db.insertInto('class_members').values(batch).execute(),
  );

  const statuses = ['New', 'Work In Progress', 'Submitted', 'AutoChecked', 'Redo', 'Done'] as const;
  const assignments = studentIds.flatMap((user_id) =>
    exerciseIds.map((exercise_id) => {
      const touched = at(random());
      return { exercise_id, user_id, status: pick(random, statuses), last_staff_updated: touched, created_at: at(0), updated_at: touched };
    }),
  );
  await inBatches(assignments, (batch) => db.insertInto('assignments').values(batch).execute());
  const assignmentRows = await db.selectFrom('assignments').select(['id', 'user_id']).orderBy('id').execute();
  await inBatches(
    assignmentRows.map((a) => ({ assignment_id: a.id, user_id: a.user_id!, role: 'candidate' })),
    (batch) => db.insertInto('assignment_members').values(batch).execute(),
  );

  const helpTypes = ['Exercise', 'Exercise', 'Exercise', 'Error', 'Request', 'Other', 'Medical', 'Music'] as const;
  const helps = Array.from({ length: HELP_THREADS }, (_, i) => {
    const user_id = pick(random, studentIds);
    const help_type = pick(random, helpTypes);
    const touched = at(random());
    return {
      user_id,
      created_by: user_id,
      title: `Help ${i}`,
      help_type,
      help_status: random() < 0.3 ? 'Open' : 'Resolved',
      exercise_id: help_type === 'Exercise' ? pick(random, exerciseIds) : null,
      visibility: random() < 0.9 ? 'All Staff' : 'All Staff And Checkers',
      last_staff_updated: touched,
      created_at: at(0),
    };
  });
  await inBatches(helps, (batch) => db.insertInto('help_threads').values(batch).execute());

  return { checker, checkerId: checkerRow.id, subjectId: subject.id, classIds, assignmentIds: assignmentRows.map((a) => a.id), since };
}
