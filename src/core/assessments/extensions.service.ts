import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import type { AuditChange } from '../audit/audit.ts';
import { recordAudit } from '../audit/audit.ts';
import type { Clock, Timestamp } from '../clock.ts';
import type { ExercisesService } from '../courses/exercises.service.ts';
import { isRowId } from '../courses/exercises.service.ts';
import { AssayError, doesNotExist } from '../errors.ts';
import type { Extension } from './late-policy.ts';
import { usersRepo } from '../identity/users.repo.ts';
import { peopleRepo } from './people.repo.ts';

export interface ExtensionInfo extends Extension {
  user: number;
  username: string;
  email: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export const MAX_EXTENSION_DAYS = 3650;

const shown = (x: { days: number; infinite: boolean | number } | null | undefined) => (x ? { days: x.days, infinite: Boolean(x.infinite) } : null);

/** The audit trail's entry for a student's extension (null: none). */
function extensionChange(
  actor: Actor,
  exercise: { id: number; course_id: number },
  userId: number,
  before: { days: number; infinite: boolean | number } | undefined,
  after: Extension | null,
  at: string,
): AuditChange {
  return { kind: 'extension', actorId: actor.id, on: { course: exercise.course_id, user: userId, exercise: exercise.id }, field: 'extension', before: shown(before), after: shown(after), at };
}

/** Per-student extensions of an assessment's due and end dates, kept by the staff who manage its course. */
export class ExtensionsService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly exercises: ExercisesService,
  ) {}

  async list(actor: Actor, exerciseId: number): Promise<ExtensionInfo[]> {
    const exercise = await this.exercises.getForWrite(actor, exerciseId);
    return (await peopleRepo.extensions(this.db, exercise.id)).map((r) => ({ user: r.user_id, username: r.username, email: r.email, days: r.days, infinite: Boolean(r.infinite), created_at: r.created_at, updated_at: r.updated_at }));
  }

  /** Gives (or changes) a student's extension. */
  async set(actor: Actor, exerciseId: number, userId: number, value: Extension): Promise<ExtensionInfo> {
    const exercise = await this.exercises.getForWrite(actor, exerciseId);
    if (!Number.isSafeInteger(value.days) || value.days < 0 || value.days > MAX_EXTENSION_DAYS) {
      throw AssayError.field('days', 'invalid', `Ensure this value is a whole number between 0 and ${MAX_EXTENSION_DAYS}.`);
    }
    const user = isRowId(userId) ? await usersRepo.byId(this.db, userId) : undefined;
    if (!user) throw AssayError.invalid([doesNotExist('user', userId)]);
    await this.db.transaction().execute(async (trx) => {
      const before = await peopleRepo.extension(trx, exercise.id, user.id);
      const now = this.clock.now();
      await peopleRepo.saveExtension(trx, exercise.id, user.id, value, now);
      await recordAudit(trx, [extensionChange(actor, exercise, user.id, before, value, now)]);
    });
    return (await this.list(actor, exercise.id)).find((x) => x.user === user.id)!;
  }

  async remove(actor: Actor, exerciseId: number, userId: number): Promise<void> {
    const exercise = await this.exercises.getForWrite(actor, exerciseId);
    const gone =
      isRowId(userId) &&
      (await this.db.transaction().execute(async (trx) => {
        const before = await peopleRepo.extension(trx, exercise.id, userId);
        if (!(await peopleRepo.deleteExtension(trx, exercise.id, userId))) return false;
        await recordAudit(trx, [extensionChange(actor, exercise, userId, before, null, this.clock.now())]);
        return true;
      }));
    if (!gone) throw AssayError.notFound();
  }

  /** The extension a student holds on an assessment, null when none. */
  async of(exerciseId: number, userId: number): Promise<Extension | null> {
    const row = await peopleRepo.extension(this.db, exerciseId, userId);
    return row ? { days: row.days, infinite: Boolean(row.infinite) } : null;
  }
}
