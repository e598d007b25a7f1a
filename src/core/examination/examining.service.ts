/** What examiners (and administrators) write: deadlines, deliveries and feedback, each updating the group's derived fields in the same transaction. */
import type { Actor } from '../actor.ts';
import { recordAudit } from '../audit/audit.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../../db/database.ts';
import type { Engine } from '../../db/columns.ts';
import { AssayError } from '../errors.ts';
import type { FilesService, NewTreeFile } from '../files/files.service.ts';
import { pathProblem } from '../files/paths.ts';
import { assertEditable, FieldChecker } from './fields.ts';
import { groupSql, groupVisibleSql, refreshDerived } from './groups.repo.ts';
import { hierarchyRepo } from './hierarchy.repo.ts';
import type { DevilryRole } from './policies.ts';
import { groupVisibility } from './policies.ts';
import { isVisible } from './search.repo.ts';

export class ExaminingService {
  constructor(
    private readonly db: Db,
    private readonly engine: Engine,
    private readonly clock: Clock,
    private readonly files: FilesService,
  ) {}

  private async assertGroupVisible(db: Db, actor: Actor, role: DevilryRole, groupId: number | undefined): Promise<number> {
    if (groupId === undefined || !(await isVisible(db, groupSql, groupId, groupVisibleSql(this.engine, groupVisibility(actor, role, this.clock.now()), false)))) {
      throw AssayError.forbidden();
    }
    return groupId;
  }

  /** In the caller's transaction (a bulk operation), or in a transaction of its own. */
  private within<T>(trx: Db | undefined, fn: (db: Db) => Promise<T>): Promise<T> {
    return trx ? fn(trx) : this.db.transaction().execute(fn);
  }

  async createDeadline(actor: Actor, role: DevilryRole, input: Record<string, unknown>, trx?: Db): Promise<number> {
    const check = new FieldChecker(input);
    const groupId = check.int('assignment_group');
    const deadline = check.datetime('deadline');
    const text = check.text('text', { required: false }) ?? null;
    check.done();
    return this.within(trx, async (db) => {
      await this.assertGroupVisible(db, actor, role, groupId);
      const id = await hierarchyRepo.insertDeadline(db, { groupId: groupId!, deadline: deadline!, text }, this.clock.now());
      await refreshDerived(db, groupId!);
      return id;
    });
  }

  /** An examiner's delivery has no `delivered_by` and number 0; a student's is theirs, numbered 1, 2, … */
  async createDelivery(actor: Actor, role: DevilryRole, input: Record<string, unknown>, trx?: Db): Promise<number> {
    const check = new FieldChecker(input);
    const deadlineId = check.int('deadline');
    const successful = check.bool('successful', true);
    const deliveryType = check.int('delivery_type', { required: false, min: 0 }) ?? 0;
    const alias = check.int('alias_delivery', { required: false }) ?? null;
    check.done();
    return this.within(trx, async (db) => {
      const deadline = deadlineId === undefined ? undefined : await hierarchyRepo.deadline(db, deadlineId);
      const groupId = await this.assertGroupVisible(db, actor, role, deadline?.assignment_id);
      const deliveredBy = role === 'student' ? actor.id : null;
      const id = await hierarchyRepo.insertDelivery(db, { groupId, deadlineId: deadlineId!, deliveredBy, successful: successful!, deliveryType, aliasDelivery: alias }, this.clock.now());
      await refreshDerived(db, groupId);
      return id;
    });
  }

  /** Feedback is immutable: a new one supersedes the older (the group's `feedback` points at the newest). */
  async createFeedback(actor: Actor, role: DevilryRole, input: Record<string, unknown>, trx?: Db): Promise<number> {
    const check = new FieldChecker(input);
    const deliveryId = check.int('delivery');
    const grade = check.text('grade', { max: 12 });
    const points = check.int('points', { min: 0 });
    const passing = check.bool('is_passing_grade', false);
    const renderedView = check.text('rendered_view', { required: false }) ?? '';
    check.done();
    return this.within(trx, async (db) => {
      const delivery = deliveryId === undefined ? undefined : await hierarchyRepo.delivery(db, deliveryId);
      const groupId = await this.assertGroupVisible(db, actor, role, delivery?.assignment_id);
      const now = this.clock.now();
      const earlier = await hierarchyRepo.latestFeedback(db, deliveryId!);
      const id = await hierarchyRepo.insertFeedback(db, { deliveryId: deliveryId!, savedBy: actor.id, grade: grade!, points: points!, isPassingGrade: passing!, renderedView }, now);
      await recordAudit(db, [
        { kind: 'grade', actorId: actor.id, on: { submission: deliveryId! }, field: 'grade', before: earlier ?? null, after: { grade: grade!, points: points!, passing: passing! }, at: now },
      ]);
      await refreshDerived(db, groupId);
      return id;
    });
  }

  /** Examiner update of a deadline: `text`, `deadline`, `assignment_group`, `feedbacks_published`. */
  async updateDeadline(actor: Actor, role: DevilryRole, id: number, input: Record<string, unknown>, trx?: Db): Promise<void> {
    await this.within(trx, async (db) => {
      const current = await hierarchyRepo.deadline(db, id);
      const groupId = await this.assertGroupVisible(db, actor, role, current?.assignment_id);
      assertEditable(input, ['text', 'deadline', 'assignment_group', 'feedbacks_published']);
      const check = new FieldChecker(input);
      const patch = {
        ...('assignment_group' in input ? { assignment_id: check.int('assignment_group') } : {}),
        ...('deadline' in input ? { deadline: check.datetime('deadline') } : {}),
        ...('text' in input ? { text: check.text('text', { required: false }) ?? null } : {}),
        ...('feedbacks_published' in input ? { feedbacks_published: check.bool('feedbacks_published', false) } : {}),
      };
      check.done();
      const moved = patch.assignment_id !== undefined && patch.assignment_id !== groupId;
      if (moved) {
        await this.assertGroupVisible(db, actor, role, patch.assignment_id);
        if ((await hierarchyRepo.deliveriesOnDeadline(db, id)) > 0) {
          throw AssayError.field('assignment_group', 'invalid', 'A deadline with deliveries can not move to another group.');
        }
      }
      await hierarchyRepo.updateDeadline(db, id, patch as Parameters<typeof hierarchyRepo.updateDeadline>[2]);
      await refreshDerived(db, groupId);
      if (moved) await refreshDerived(db, patch.assignment_id!);
    });
  }

  /** A deadline may be deleted only while it has no deliveries. */
  async deleteDeadline(actor: Actor, role: DevilryRole, id: number, trx?: Db): Promise<void> {
    await this.within(trx, async (db) => {
      const current = await hierarchyRepo.deadline(db, id);
      const groupId = await this.assertGroupVisible(db, actor, role, current?.assignment_id);
      if ((await hierarchyRepo.deliveriesOnDeadline(db, id)) > 0) throw AssayError.forbidden();
      await hierarchyRepo.deleteDeadline(db, id);
      await refreshDerived(db, groupId);
    });
  }

  /** Update of a delivery: `successful`, `deadline` (within its group), and for examiners and administrators `delivery_type`, `alias_delivery`. */
  async updateDelivery(actor: Actor, role: DevilryRole, id: number, input: Record<string, unknown>, trx?: Db): Promise<void> {
    await this.within(trx, async (db) => {
      const current = await hierarchyRepo.delivery(db, id);
      const groupId = await this.assertGroupVisible(db, actor, role, current?.assignment_id);
      // Students finish their own delivery (mark it successful, e.g. once its files are uploaded) or move it to another deadline of the group.
      assertEditable(input, role === 'student' ? ['successful', 'deadline'] : ['successful', 'deadline', 'delivery_type', 'alias_delivery']);
      const check = new FieldChecker(input);
      const patch = {
        ...('deadline' in input ? { deadline_id: check.int('deadline') } : {}),
        ...('successful' in input ? { successful: check.bool('successful', true) } : {}),
        ...('delivery_type' in input ? { delivery_type: check.int('delivery_type', { min: 0 }) } : {}),
        ...('alias_delivery' in input ? { alias_delivery: check.int('alias_delivery', { required: false }) ?? null } : {}),
      };
      check.done();
      if (patch.deadline_id !== undefined && (await hierarchyRepo.deadline(db, patch.deadline_id))?.assignment_id !== groupId) {
        throw AssayError.field('deadline', 'invalid', "The deadline must belong to the delivery's group.");
      }
      await hierarchyRepo.updateDelivery(db, id, patch as Parameters<typeof hierarchyRepo.updateDelivery>[2]);
      await refreshDerived(db, groupId);
    });
  }

  /** Deleting a delivery deletes its feedback with it. */
  async deleteDelivery(actor: Actor, role: DevilryRole, id: number, trx?: Db): Promise<void> {
    await this.within(trx, async (db) => {
      const groupId = await this.assertGroupVisible(db, actor, role, (await hierarchyRepo.delivery(db, id))?.assignment_id);
      await hierarchyRepo.deleteDelivery(db, id);
      await refreshDerived(db, groupId);
    });
  }

  /** The administrator's delete of one feedback; the group's `feedback` falls back to the newest left. */
  async deleteFeedback(actor: Actor, role: DevilryRole, id: number, trx?: Db): Promise<void> {
    await this.within(trx, async (db) => {
      const feedback = await hierarchyRepo.feedback(db, id);
      const groupId = await this.assertGroupVisible(db, actor, role, feedback?.assignment_id);
      // The delivery's grade is its newest feedback: deleting that one brings the one before back.
      const earlier = await hierarchyRepo.latestFeedback(db, feedback!.submission_id);
      await hierarchyRepo.deleteFeedback(db, id);
      const now = await hierarchyRepo.latestFeedback(db, feedback!.submission_id);
      await recordAudit(db, [{ kind: 'grade', actorId: actor.id, on: { submission: feedback!.submission_id }, field: 'grade', before: earlier ?? null, after: now ?? null, at: this.clock.now() }]);
      await refreshDerived(db, groupId);
    });
  }

  /**
   * Adds a file to a delivery: its submission gets a new tree with the file appended (trees are
   * never changed in place) and the file a Devilry id. A delivery holds one file per name.
   */
  async addFile(actor: Actor, role: DevilryRole, deliveryId: number, filename: string, content: Buffer, trx?: Db): Promise<number> {
    const problem = pathProblem(filename);
    if (problem) throw AssayError.field('filename', 'invalid_path', `Illegal path "${filename}": ${problem}.`);
    const blob = await this.files.store(content);
    return this.within(trx, async (db) => {
      await this.assertGroupVisible(db, actor, role, (await hierarchyRepo.delivery(db, deliveryId))?.assignment_id);
      if (await hierarchyRepo.fileMetaExists(db, deliveryId, filename)) throw AssayError.field(null, 'unique', 'File meta with this Delivery and Filename already exists.');
      const treeId = await hierarchyRepo.deliveryTree(db, deliveryId);
      const entries = treeId === null ? [] : await this.files.treeEntries(treeId, db);
      const kept: NewTreeFile[] = entries.map((e) => ({ path: e.path, blob: { sha256: e.blob, size: e.size, md5: e.md5 } }));
      await hierarchyRepo.setDeliveryTree(db, deliveryId, await this.files.createTree([...kept, { path: filename, blob }], db));
      return hierarchyRepo.insertFileMeta(db, deliveryId, filename);
    });
  }

  /** Removes a file from its delivery: the submission gets a new tree without it. */
  async deleteFile(actor: Actor, role: DevilryRole, id: number, trx?: Db): Promise<void> {
    await this.within(trx, async (db) => {
      const meta = await hierarchyRepo.fileMeta(db, id);
      await this.assertGroupVisible(db, actor, role, meta?.assignment_id);
      const treeId = await hierarchyRepo.deliveryTree(db, meta!.submission_id);
      const entries = treeId === null ? [] : await this.files.treeEntries(treeId, db);
      const kept: NewTreeFile[] = entries.filter((e) => e.path !== meta!.filename).map((e) => ({ path: e.path, blob: { sha256: e.blob, size: e.size, md5: e.md5 } }));
      await hierarchyRepo.setDeliveryTree(db, meta!.submission_id, await this.files.createTree(kept, db));
      await hierarchyRepo.deleteFileMeta(db, id);
    });
  }
}
