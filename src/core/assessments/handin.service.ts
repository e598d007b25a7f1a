import type { StoredBlob } from '../../blobs/store.ts';
import type { Db } from '../../db/database.ts';
import type { Clock } from '../clock.ts';
import type { SubmissionsService } from '../grading/submissions.service.ts';
import type { UsersService } from '../identity/users.service.ts';
import type { AssessmentReason } from './access.ts';
import { assessmentRefusal, refusals } from './access.ts';
import type { Assessment, CourseContext } from './assessments.service.ts';
import type { ExtensionsService } from './extensions.service.ts';
import type { GroupsService } from './groups.service.ts';
import { extendedWindow, isClosed } from './late-policy.ts';
import { scoresRepo } from './scores.repo.ts';

export interface HandinInput {
  /** Some `submission[…]` parameter was sent. */
  submissionParam: boolean;
  /** The `submission[file]` part, stored. */
  file: StoredBlob | null;
  /** The file went over the server's upload limit while it was read (and was not stored). */
  overLimit: boolean;
}

export interface Handin {
  version: number;
  filename: string;
}

const MiB = 1024 * 1024;
const refuse = (reason: AssessmentReason, details?: Record<string, unknown>) => assessmentRefusal('forbidden', reason, details);

/**
 * Autolab's `submit`: the checks in upstream's order, then (for students) the end date, after
 * any extension, and the submission limit; then one core submission per group member, the
 * caller's first, each graded by the grading engine.
 */
export class HandinService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly submissions: SubmissionsService,
    private readonly users: UsersService,
    private readonly groups: GroupsService,
    private readonly extensions: ExtensionsService,
  ) {}

  private async count(exerciseId: number, userId: number): Promise<number> {
    return (await scoresRepo.handins(this.db, exerciseId, userId)).length;
  }

  async submit(ctx: CourseContext, target: Assessment, input: HandinInput): Promise<Handin> {
    if (target.embedded_quiz) throw assessmentRefusal('invalid', 'embedded_quiz');
    if (!input.submissionParam) throw refusals.missing('submission');
    if (!input.file && !input.overLimit) throw refusals.missing("submission['file']");
    if (target.disable_handins) throw refuse('handins_disabled');
    if (input.file && input.file.size === 0) throw refuse('blank_submission');
    if (input.overLimit || input.file!.size > target.max_size_mb * MiB) {
      throw refuse('submission_too_large', { max_size_mb: target.max_size_mb });
    }
    const student = ctx.role === 'student';
    const mates = target.group_size > 1 ? await this.groups.mates(target.id, ctx.actor.id) : [{ userId: ctx.actor.id, status: 'confirmed' }];
    if (mates.some((m) => m.status !== 'confirmed')) {
      throw refuse('group_unconfirmed');
    }
    if (student && target.max_submissions !== -1 && mates.length > 1) {
      for (const m of mates.slice(1)) {
        if ((await this.count(target.id, m.userId)) >= target.max_submissions) {
          throw refuse('group_member_limit');
        }
      }
    }
    if (student) {
      const window = extendedWindow(target.window, await this.extensions.of(target.id, ctx.actor.id));
      if (isClosed(window, this.clock.now(), ctx.course.late_slack)) throw refuse('assessment_ended');
      if (target.max_submissions !== -1 && (await this.count(target.id, ctx.actor.id)) >= target.max_submissions) {
        throw refuse('submission_limit');
      }
    }
    const files = [{ path: target.handin_filename, blob: input.file! }];
    const mine = await this.submissions.submit(ctx.actor, target.id, { files });
    for (const m of mates.slice(1)) {
      const actor = await this.users.actorFor(m.userId);
      if (actor) await this.submissions.submit(actor, target.id, { files });
    }
    return { version: mine.number, filename: `${mine.number}_${target.handin_filename}` };
  }
}
