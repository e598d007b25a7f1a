import fs from 'node:fs/promises';
import { SYNC_KINDS, syncCourseDirectory } from '../core/courses/course-sync.ts';
import { OPERATOR } from '../core/enrolment/enrolment.service.ts';
import { isAssayError } from '../core/errors.ts';
import type { Services } from '../core/services.ts';
import { isInginiousCourseFolder } from '../core/tasks/task-folder.ts';
import { ensureAdmin } from '../runtime.ts';
import { reportSyncProblems } from './sync-problems.ts';
import { inginiousCommand } from './inginious.ts';
import type { Flags } from './commands.ts';

const out = (line: string) => process.stdout.write(line + '\n');

/** Kinds whose rows a sync may delete (the others it only creates and updates). */
const DELETABLE = new Set(['problems', 'graders']);

/** `assay course sync DIR|enroll COURSE USER…|roster COURSE FILE.csv` (the arguments as the grammar in usage.ts requires them). */
export async function courseCommand(services: Services, args: string[], flags: Flags): Promise<number> {
  const [sub, first, ...rest] = args;
  if (sub === 'enroll') return enrollCommand(services, first!, rest, String(flags.role));
  if (sub === 'roster') return rosterCommand(services, first!, rest[0]!, flags.preview === true);
  return syncCommand(services, first!);
}

/** `assay course enroll COURSE USER… --role R`: prints each member's role. */
async function enrollCommand(services: Services, slug: string, usernames: string[], role: string): Promise<number> {
  try {
    for (const m of await services.enrolment.enrol(OPERATOR, { slug }, usernames, role)) out(`${m.username}\t${m.role}${m.dropped ? ' (dropped)' : ''}`);
  } catch (err) {
    return reportInvalid(err, `nobody was enrolled in ${slug}`);
  }
  return 0;
}

/** `assay course roster COURSE FILE.csv [--preview]`: what each row does (and new accounts' passwords), or every problem and exit 1. */
async function rosterCommand(services: Services, slug: string, file: string, preview: boolean): Promise<number> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const report = await services.enrolment.importRoster(OPERATOR, { slug }, text, { preview });
  if (report.problems.length > 0) {
    process.stderr.write(`assay: ${file} was not imported (nothing changed): ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}\n`);
    for (const p of report.problems) process.stderr.write(`  line ${p.line}${p.column ? `, ${p.column}` : ''}: ${p.message}\n`);
    return 1;
  }
  for (const r of report.rows) out(`line ${r.line}: ${r.username}\t${r.role}\t${ROSTER_ACTIONS[r.action]}${r.password ? `\tpassword: ${r.password}` : ''}`);
  out(preview ? `preview of ${report.rows.length} rows: nothing written` : `${slug}: ${report.rows.length} rows applied`);
  return 0;
}

const ROSTER_ACTIONS = { create: 'new account', enrol: 'enrolled', change: 'changed', unchanged: 'unchanged' } as const;

/** An `invalid` refusal with every field on stderr (exit 1); anything else is thrown on. */
function reportInvalid(err: unknown, what: string): number {
  if (!isAssayError(err) || err.kind !== 'invalid') throw err;
  process.stderr.write(`assay: ${what}\n`);
  for (const f of err.details.fields ?? []) process.stderr.write(`  ${f.field ? `${f.field}: ` : ''}${f.message}\n`);
  return 1;
}

/** `assay course sync DIR`: prints what changed; on a problem, every problem (file: key: message) and exit 1. */
async function syncCommand(services: Services, dir: string): Promise<number> {
  // An INGInious course folder (task.yaml per task) is imported as `assay inginious import` does.
  if (await isInginiousCourseFolder(dir)) return inginiousCommand(services, ['import', dir], {});
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
  if (report.members.length > 0) {
    const n = (action: string) => report.members.filter((m) => m.action === action).length;
    out(`  ${'members'.padEnd(10)} ${n('create')} new accounts, ${n('enrol')} enrolled, ${n('change')} changed, ${n('unchanged')} unchanged`);
    for (const m of report.members) if (m.password) out(`  new account ${m.username} (${m.role}), password: ${m.password}`);
  }
  // Where each exercise takes submissions (Assay's API), on the server's public address.
  const base = services.config.publicUrl ?? `http://localhost:${services.config.port}`;
  for (const e of report.exercises) out(`exercise ${e.slug} (id ${e.id}): submit with POST ${base}/api/assay/v1/exercises/${e.id}/submissions/`);
  for (const w of report.warnings) out(`warning: ${w}`);
  if (!report.changed) out('nothing changed');
  return 0;
}

