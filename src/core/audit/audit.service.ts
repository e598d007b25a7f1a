import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import { roleIn } from '../courses/visibility.ts';
import { enrolmentsRepo } from '../enrolment/enrolments.repo.ts';
import { AssayError } from '../errors.ts';
import type { AuditKind } from './audit.ts';
import { AUDIT_KINDS } from './audit.ts';
import type { AuditRecord } from './audit.repo.ts';
import { auditRepo } from './audit.repo.ts';
import { auditPolicy } from './policy.ts';

export const MAX_AUDIT_PAGE = 500;

export interface AuditEntry {
  id: number;
  kind: AuditKind;
  /** Null: the system (the command line, a course directory's sync) or a deleted account's name. */
  actor: { id: number | null; username: string } | null;
  subject: { id: number | null; username: string } | null;
  exercise: { id: number; name: string } | null;
  submission: number | null;
  field: string;
  before: unknown;
  after: unknown;
  created_at: string;
}

export interface TrailQuery {
  kind?: string | undefined;
  /** Entries older than this one (paging). */
  before?: number | undefined;
  limit?: number | undefined;
}

const person = (id: number | null, name: string) => (id === null && name === '' ? null : { id, username: name });

function render(r: AuditRecord): AuditEntry {
  return {
    id: r.id,
    kind: r.kind as AuditKind,
    actor: person(r.actor_id, r.actor_name),
    subject: person(r.subject_id, r.subject_name),
    exercise: r.exercise_id === null ? null : { id: r.exercise_id, name: r.exercise_name ?? '' },
    submission: r.submission_id,
    field: r.field,
    before: JSON.parse(r.before) as unknown,
    after: JSON.parse(r.after) as unknown,
    created_at: r.created_at,
  };
}

/** A course's audit trail (recordAudit writes it): its instructors and staff read it. */
export class AuditService {
  constructor(private readonly db: Db) {}

  /** The course, once the actor may read its trail: checkers and students of the course get 403, non-members 404. */
  private async course(actor: Actor, courseId: number): Promise<{ id: number }> {
    const course = await enrolmentsRepo.course(this.db, { id: courseId });
    if (!course) throw AssayError.notFound();
    const role = await roleIn(this.db, actor, course.id);
    if (!auditPolicy.seesCourse(actor, role)) throw AssayError.notFound();
    if (!auditPolicy.canReadTrail(actor, role)) throw AssayError.forbidden();
    return course;
  }

  /** Refuses (404, 403) who may not read the trail, before a query is read. */
  async assertMayRead(actor: Actor, courseId: number): Promise<void> {
    await this.course(actor, courseId);
  }

  /** Newest first. */
  async trail(actor: Actor, courseId: number, query: TrailQuery = {}): Promise<AuditEntry[]> {
    const course = await this.course(actor, courseId);
    const kind = query.kind ?? null;
    if (kind !== null && !(AUDIT_KINDS as readonly string[]).includes(kind)) throw AssayError.field('kind', 'invalid_choice', `"${kind}" is not a kind: ${AUDIT_KINDS.join(', ')}.`);
    const limit = query.limit ?? 100;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_AUDIT_PAGE) throw AssayError.field('limit', 'invalid', `Ensure this value is between 1 and ${MAX_AUDIT_PAGE}.`);
    const before = query.before ?? null;
    if (before !== null && (!Number.isSafeInteger(before) || before < 1)) throw AssayError.field('before', 'invalid', 'An entry id.');
    return (await auditRepo.trail(this.db, course.id, { kind, before, limit })).map(render);
  }
}
