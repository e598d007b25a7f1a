import type { Services } from '../core/services.ts';
import type { Flags } from './commands.ts';
import { reportSyncProblems } from './sync-problems.ts';

const out = (line: string) => process.stdout.write(line + '\n');

/** `assay inginious import DIR [--slug ID]`: prints what was imported; on a problem, every problem and exit 1. */
export async function inginiousCommand(services: Services, args: string[], flags: Flags): Promise<number> {
  const dir = args[1]!;
  const slug = typeof flags.slug === 'string' ? flags.slug : undefined;
  let report;
  try {
    report = await services.tasks.importCourse(dir, { slug });
  } catch (err) {
    return reportSyncProblems(err, `${dir} was not imported`);
  }
  out(`${report.created ? 'created' : 'updated'} course "${report.slug}" (id ${report.courseId}) from ${dir}`);
  for (const t of report.tasks) out(`  task ${t.slug}: ${t.created ? 'created' : 'updated'}, graded ${t.grader === 'sandbox' ? 'by its run script' : t.grader === 'core' ? 'in the core (answers in task.yaml)' : 'by nothing'}`);
  return 0;
}
