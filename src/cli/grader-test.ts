import fs from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.ts';
import type { PlannedFile } from '../core/courses/course-directory.ts';
import { readCourseDirectory, readFolderFiles } from '../core/courses/course-directory.ts';
import { sandboxLimitsOf } from '../core/grading/graders.service.ts';
import type { TreeFile } from '../grading/engine/layout.ts';
import { trialRun } from '../grading/engine/trial.ts';
import type { GradeResult } from '../grading/results/types.ts';
import { defaultSandbox } from '../grading/sandbox/index.ts';
import { reportSyncProblems } from './sync-problems.ts';

const out = (line: string) => process.stdout.write(line + '\n');
const indent = (text: string, by = '      ') => text.replace(/\n+$/, '').split('\n').map((l) => by + l).join('\n');
const readTree = (files: PlannedFile[]): Promise<TreeFile[]> => Promise.all(files.map(async (f) => ({ path: f.path, content: await fs.readFile(f.source) })));
const points = (score: number | null, max: number | null) => `${score ?? '-'}${max !== null ? `/${max}` : ''}`;

/**
 * `assay grader test DIR/EXERCISE [SUBMISSION]`: what a course author runs before publishing. Reads
 * the exercise as `course sync` would (the whole course directory is checked), runs its grader once
 * in the sandbox on the reference solution (`solution/`) or on the folder given, and prints the
 * result, each test, and the grading contract's warnings. No server and no database. Exit 0 when
 * the grader ran (whatever the score), 1 when it could not run or failed as a harness (a staff error).
 */
export async function graderTestCommand(config: Config, exerciseDir: string, submissionDir: string | undefined): Promise<number> {
  const folder = path.basename(path.resolve(exerciseDir));
  const courseDir = path.dirname(path.resolve(exerciseDir));
  let plan;
  let submitted: PlannedFile[];
  try {
    const course = await readCourseDirectory(courseDir, { maxFileBytes: config.maxUploadBytes });
    plan = course.exercises.find((e) => e.folder === folder);
    if (!plan) throw new Error(`${exerciseDir} is not an exercise folder of ${courseDir} (it has no exercise.yaml)`);
    if (!plan.grader) throw new Error(`${folder}/exercise.yaml has no grader: section`);
    if (submissionDir === undefined && !plan.trees.solution) throw new Error(`${folder} has no solution/ folder: name a submission folder`);
    submitted = submissionDir === undefined ? plan.trees.solution! : await readFolderFiles(submissionDir, { maxFileBytes: config.maxUploadBytes });
  } catch (err) {
    return reportSyncProblems(err, `${exerciseDir} cannot be tested`);
  }
  const grader = plan.grader;
  const problems = plan.problems.map((p) => p.name);
  const sandbox = defaultSandbox();
  try {
    const status = await sandbox.status();
    if (!status.available) throw new Error(`the grading sandbox is not usable here: ${status.reason}`);
    const [harness, files] = await Promise.all([readTree(plan.trees.grader ?? []), readTree(submitted)]);
    const on = submissionDir ?? `${exerciseDir.replace(/\/+$/, '')}/solution`;
    out(`${plan.slug}: ${grader.convention} grader (${grader.command.join(' ')}), ${harness.length} harness files, on ${on} (${files.length} files)`);
    const { grade, warnings, ms } = await trialRun({ ...grader, sandboxLimits: sandboxLimitsOf(grader.limits) }, harness, files, {}, problems);
    printGrade(grade, plan.problems, ms);
    for (const w of warnings) out(`warning: ${w}`);
    if (grade.staffError) {
      process.stderr.write(`assay: the grader failed to run (${grade.outcome}): see the log above\n`);
      return 1;
    }
    return 0;
  } finally {
    await sandbox.close();
  }
}

function printGrade(grade: GradeResult, problems: { name: string; max_score?: number }[], ms: number): void {
  out(`outcome: ${grade.outcome}, score ${points(grade.score, grade.maxScore)} (${(ms / 1000).toFixed(1)} s)`);
  if (grade.tests.length > 0) out('tests:');
  for (const t of grade.tests) {
    out(`  ${(t.status ?? '-').padEnd(6)} ${points(t.score, t.maxScore).padStart(7)}  ${t.name}${t.visibility === 'visible' ? '' : ` (${t.visibility})`}`);
    if (t.output) out(indent(t.output));
  }
  const named = Object.entries(grade.problems);
  if (named.length > 0) out('problems:');
  for (const [name, p] of named) {
    const max = problems.find((q) => q.name === name)?.max_score ?? null;
    out(`  ${name}: ${[p.result, p.score !== undefined ? points(p.score, max) : null].filter((x) => x).join(', ') || 'named'}`);
    if (p.feedback) out(indent(p.feedback));
  }
  if (grade.feedback) out(`feedback:\n${indent(grade.feedback, '  ')}`);
  if (grade.log.trim()) out(`log (staff only):\n${indent(grade.log, '  ')}`);
}
