import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { StoredBlob } from '../../blobs/store.ts';
import type { Actor } from '../actor.ts';
import { parseTimestamp } from '../clock.ts';
import type { FieldProblem } from '../errors.ts';
import { AssayError, fromDatabaseError } from '../errors.ts';
import { enrol } from '../enrolment/enrolment-writes.ts';
import { enrolmentsRepo } from '../enrolment/enrolments.repo.ts';
import type { NewTreeFile } from '../files/files.service.ts';
import { unpackZip } from '../files/unzip.ts';
import type { SyncDeps, SyncReport } from './course-sync.ts';
import { syncCourseDirectory } from './course-sync.ts';
import { SLUG } from './course-directory.ts';
import { coursesRepo } from './courses.repo.ts';
import { coursePolicy } from './policy.ts';
import { canManageCourse, canSee, visibleCourseIds } from './visibility.ts';

export interface NewCourseInput {
  slug: string;
  name: string;
  semester?: string;
  description?: string;
  start_at?: string | null;
  end_at?: string | null;
}

export interface CourseSummary {
  id: number;
  slug: string;
  name: string;
  semester: string;
  description: string;
  start_at: string | null;
  end_at: string | null;
}

const summary = (row: CourseSummary): CourseSummary => ({
  id: row.id,
  slug: row.slug,
  name: row.name,
  semester: row.semester,
  description: row.description,
  start_at: row.start_at,
  end_at: row.end_at,
});

const COURSE_FILE = 'course.yaml';

/**
 * Running a course from the browser: opening a new one, and syncing a course directory uploaded as
 * a zip into it. Who may: coursePolicy (a new course: staff, and the instructors of a course;
 * an upload: staff and the course's instructors). The upload is the CLI's `assay course sync`
 * (course-sync.ts): the same reading, checks and per-file problems, nothing written on a problem.
 */
export class CourseAdminService {
  constructor(private readonly deps: SyncDeps) {}

  /** A new course; its creator instructs it. A slug another course holds is a problem on `slug`. */
  async create(actor: Actor, input: NewCourseInput): Promise<CourseSummary> {
    const db = this.deps.db;
    const instructs = (await enrolmentsRepo.currentEnrolments(db, actor.id)).some((e) => e.role === 'instructor');
    if (!coursePolicy.mayCreateCourse(actor, instructs)) throw AssayError.forbidden();
    const problems: FieldProblem[] = [];
    const slug = input.slug.trim();
    const name = input.name.trim();
    if (!SLUG.test(slug)) problems.push({ field: 'slug', code: 'invalid', message: 'Use 1 to 60 lower-case letters, digits, "-" or "_", starting and ending with a letter or digit.' });
    else if (await coursesRepo.bySlug(db, slug)) problems.push(taken());
    if (name === '') problems.push({ field: 'name', code: 'blank', message: 'This field may not be blank.' });
    const dates: Record<'start_at' | 'end_at', string | null> = { start_at: null, end_at: null };
    for (const key of ['start_at', 'end_at'] as const) {
      const raw = input[key];
      if (raw === undefined || raw === null || raw === '') continue;
      const parsed = parseTimestamp(raw);
      if (parsed === null) problems.push({ field: key, code: 'invalid', message: 'Not a date and time.' });
      dates[key] = parsed;
    }
    if (dates.start_at && dates.end_at && dates.end_at < dates.start_at) problems.push({ field: 'end_at', code: 'invalid', message: 'The end is before the start.' });
    if (problems.length > 0) throw AssayError.invalid(problems);
    const now = this.deps.clock.now();
    const id = await db
      .transaction()
      .execute(async (tx) => {
        const courseId = await coursesRepo.create(tx, { slug, name, semester: input.semester?.trim() ?? '', description: input.description ?? '', ...dates, created_at: now });
        await enrol(tx, { by: actor.id, at: now }, { courseId, userId: actor.id, role: 'instructor' });
        return courseId;
      })
      .catch((err: unknown) => {
        // Another request took the slug between the check and the insert.
        if (fromDatabaseError(err)?.kind === 'conflict') throw AssayError.invalid([taken()]);
        throw err;
      });
    return summary((await coursesRepo.byId(db, id))!);
  }

  /** The course, when the actor may manage it: not found if they do not see it, forbidden if they only see it. */
  async getForManage(actor: Actor, courseId: number): Promise<CourseSummary> {
    const row = await coursesRepo.byId(this.deps.db, courseId);
    if (!row || !canSee(await visibleCourseIds(this.deps.db, actor), courseId)) throw AssayError.notFound();
    if (!(await canManageCourse(this.deps.db, actor, courseId))) throw AssayError.forbidden();
    return summary(row);
  }

  /**
   * Syncs the course directory in a zip (already in the blob store) into this course. The zip is
   * unpacked with the server's bounded unpacking (unpackZip: file count, unpacked bytes, ratio,
   * names); course.yaml may sit at the top or in the archive's one top folder, and its slug
   * must be this course's. Any problem: one `invalid` error listing them, nothing written.
   */
  async syncZip(actor: Actor, courseId: number, archive: StoredBlob): Promise<SyncReport> {
    const course = await this.getForManage(actor, courseId);
    const entries = await unpackZip(this.deps.files, archive, 'file');
    if (entries === null) throw AssayError.field('file', 'invalid', 'The upload is not a zip archive.');
    const files = withinCourseFolder(entries);
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'assay-course-upload-'));
    try {
      await this.unpackTo(root, files);
      return await syncCourseDirectory(this.deps, root, { slug: course.slug });
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
  }

  /** Writes each unpacked file under `root` (paths were checked by unpackZip: relative, no `..`). */
  private async unpackTo(root: string, files: NewTreeFile[]): Promise<void> {
    for (const f of files) {
      const target = path.join(root, ...f.path.split('/'));
      if (!target.startsWith(root + path.sep)) throw AssayError.field('file', 'invalid', `The zip archive cannot be unpacked: illegal path "${f.path}".`);
      await fs.mkdir(path.dirname(target), { recursive: true });
      await pipeline(this.deps.files.open(f.blob.sha256), (await fs.open(target, 'wx')).createWriteStream());
    }
  }
}

const taken = (): FieldProblem => ({ field: 'slug', code: 'unique', message: 'Another course has this slug.' });

/** The archive's files relative to the course folder: its top, or its one top folder when course.yaml is there. */
function withinCourseFolder(entries: NewTreeFile[]): NewTreeFile[] {
  if (entries.some((e) => e.path === COURSE_FILE)) return entries;
  const tops = new Set(entries.map((e) => e.path.split('/')[0]!));
  if (tops.size !== 1) return entries;
  const [top] = [...tops];
  if (!entries.some((e) => e.path === `${top}/${COURSE_FILE}`)) return entries;
  return entries.map((e) => ({ ...e, path: e.path.slice(top!.length + 1) }));
}
