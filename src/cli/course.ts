import { SYNC_KINDS, syncCourseDirectory } from '../core/courses/course-sync.ts';
import type { Services } from '../core/services.ts';
import { isInginiousCourseFolder } from '../core/tasks/task-folder.ts';
import { ensureAdmin } from '../runtime.ts';
import { reportSyncProblems } from './sync-problems.ts';
import { inginiousCommand } from './inginious.ts';

const out = (line: string) => process.stdout.write(line + '\n');

/** Kinds whose rows a sync may delete (the others it only creates and updates). */
const DELETABLE = new Set(['problems', 'graders']);

/** `assay course sync DIR`: prints what changed; on a problem, every problem (file: key: message) and exit 1. */
export async function courseCommand(services: Services, sub: string | undefined, dir: string | undefined, usage: string): Promise<number> {
  if (sub !== 'sync' || !dir) {
    process.stderr.write(usage);
    return 2;
  }
  // An INGInious course folder (task.yaml per task) is imported as `assay inginious import` does.
  if (await isInginiousCourseFolder(dir)) return inginiousCommand(services, ['import', dir], {}, usage);
  // The course's checker defaults to the first admin: make sure there is one, as `migrate` does.
  const admin = await ensureAdmin(services);
  if (admin?.generatedPassword) out(`created admin account "${admin.username}" with password: ${admin.generatedPassword}`);
  let report;
  try {
    report = await syncCourseDirectory(services, dir);
  } catch (err) {
    return reportSyncProblems(err, `${dir} was not synced`);
  }
  out(`synced course "${report.slug}" (id ${report.courseId}) from ${dir}`);
  for (const kind of SYNC_KINDS) {
    const c = report.counts[kind];
    const deleted = DELETABLE.has(kind) ? `, ${c.deleted} deleted` : '';
    out(`  ${kind.padEnd(10)} ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged${deleted}`);
  }
  for (const w of report.warnings) out(`warning: ${w}`);
  if (!report.changed) out('nothing changed');
  return 0;
}

