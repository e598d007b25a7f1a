import fs from 'node:fs';
import type { StoredBlob } from '../../blobs/store.ts';
import type { Db } from '../../db/database.ts';
import { syncProblemsError } from '../courses/course-directory.ts';
import type { BaseServices } from '../services.ts';
import * as repo from './import.repo.ts';
import { gradedInCore } from './problems.ts';
import type { InginiousCoursePlan, TaskFolderPlan } from './task-folder.ts';
import { readInginiousCourse } from './task-folder.ts';

export interface ImportReport {
  courseId: number;
  slug: string;
  created: boolean;
  tasks: { slug: string; created: boolean; grader: 'sandbox' | 'core' | 'none' }[];
}

type Deps = Pick<BaseServices, 'db' | 'clock' | 'files' | 'graders' | 'problems' | 'config'>;

/**
 * `assay inginious import DIR`: makes an Assay course hold what an INGInious course folder
 * describes (trusted: the command line runs it). Everything is read and checked first; then the
 * files are stored as blobs, and every row is written in one transaction. Rows are matched by
 * course id and task id, so importing again updates in place; tasks the folder no longer holds
 * are left as they are (they may hold students' work).
 */
export async function importInginiousCourse(deps: Deps, dir: string, options: { slug?: string } = {}): Promise<ImportReport> {
  const plan = await readInginiousCourse(dir, { slug: options.slug, zone: deps.config.inginious.timezone });
  const blobs = new Map<string, StoredBlob>();
  for (const task of plan.tasks) {
    for (const f of task.files) {
      try {
        blobs.set(f.source, await deps.files.store(fs.createReadStream(f.source), deps.config.maxUploadBytes));
      } catch (err) {
        throw syncProblemsError([{ file: `${task.slug}/${f.path}`, key: null, message: `cannot be stored (${(err as Error).message})` }]);
      }
    }
  }
  return deps.db.transaction().execute((tx) => write(deps, tx, plan, blobs));
}

async function write(deps: Deps, tx: Db, plan: InginiousCoursePlan, blobs: Map<string, StoredBlob>): Promise<ImportReport> {
  const now = deps.clock.now();
  const c = plan.course;
  const course = await repo.upsertCourse(tx, plan.slug, { name: c.name, start_at: c.window.start, end_at: c.window.end }, now);
  await repo.upsertCourseExtra(tx, course.id, {
    hidden: c.hidden,
    registration_open: c.registrationOpen,
    registration_start_at: c.registrationWindow.start,
    registration_end_at: c.registrationWindow.end,
    require_password: c.requirePassword,
  });
  const tasks: ImportReport['tasks'] = [];
  for (const task of plan.tasks) tasks.push(await writeTask(deps, tx, course.id, task, blobs, now));
  return { courseId: course.id, slug: plan.slug, created: course.created, tasks };
}

async function writeTask(deps: Deps, tx: Db, courseId: number, task: TaskFolderPlan, blobs: Map<string, StoredBlob>, now: string): Promise<ImportReport['tasks'][number]> {
  const exercise = await repo.upsertExercise(
    tx,
    courseId,
    task.slug,
    {
      name: task.name,
      description: task.context,
      order: String(task.order),
      start_at: task.window.start,
      due_at: task.window.softEnd,
      end_at: task.window.end,
      // A limit over the whole life of the task (period -1) is the core's own limit too.
      max_submissions: task.submissionAmount > 0 && task.submissionPeriod <= 0 ? task.submissionAmount : null,
    },
    now,
  );
  await repo.upsertTaskExtra(tx, exercise.id, {
    problems: JSON.stringify(task.problems),
    authors: JSON.stringify(task.authors),
    contact_url: task.contactUrl,
    context: task.context,
    evaluate: task.evaluate,
    weight: task.weight,
    hidden: task.hidden,
    submission_amount: task.submissionAmount,
    submission_period: task.submissionPeriod,
  });
  // The result side of each problem, so per-problem grades have somewhere to go.
  await deps.problems.replaceTrusted(tx, exercise.id, task.problems.map((p) => ({ name: p.id, description: typeof p.name === 'string' ? p.name : '', max_score: 100 })));
  let grader: 'sandbox' | 'core' | 'none' = gradedInCore(task.problems) ? 'core' : 'none';
  if (task.grader) {
    const harness = await deps.files.createTree(task.files.map((f) => ({ path: f.path, blob: blobs.get(f.source)! })), tx);
    await deps.graders.upsertTrusted(tx, exercise.id, task.grader, harness);
    grader = 'sandbox';
  } else {
    await deps.graders.deleteTrusted(tx, exercise.id);
  }
  return { slug: task.slug, created: exercise.created, grader };
}
