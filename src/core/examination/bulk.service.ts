/**
 * Devilry's bulk operations (createmany, updatemany, deletemany): every item in one transaction.
 * Items that fail validation are all reported together (one entry each) and nothing is written;
 * any other failure (a permission, a missing id) rolls the whole operation back.
 */
import type { Actor } from '../actor.ts';
import { AssayError, isAssayError } from '../errors.ts';
import type { FieldProblem } from '../errors.ts';
import type { Db } from '../../db/database.ts';
import type { AdministeredModel } from './administered.repo.ts';
import { isAdministered } from './administered.repo.ts';
import type { AdministeredService } from './administered.service.ts';
import type { ExaminingService } from './examining.service.ts';
import type { GroupsService } from './groups.service.ts';
import type { DevilryRole } from './policies.ts';

export type BulkCreateModel = 'deadline' | 'delivery' | 'staticfeedback' | AdministeredModel;
export type BulkUpdateModel = 'assignmentgroup' | 'deadline' | 'delivery' | AdministeredModel;
export type BulkDeleteModel = 'deadline' | 'delivery' | 'staticfeedback' | 'filemeta' | AdministeredModel;

const asObject = (item: unknown): Record<string, unknown> | null => (item && typeof item === 'object' && !Array.isArray(item) ? (item as Record<string, unknown>) : null);

export class BulkService {
  constructor(
    private readonly db: Db,
    private readonly groups: GroupsService,
    private readonly examining: ExaminingService,
    private readonly administered: AdministeredService,
  ) {}

  private run<T>(items: unknown[], each: (trx: Db, item: unknown) => Promise<T>): Promise<T[]> {
    return this.db.transaction().execute(async (trx) => {
      const out: T[] = [];
      const invalid: FieldProblem[][] = [];
      for (const item of items) {
        try {
          out.push(await each(trx, item));
        } catch (err) {
          // Validation happens before an item writes anything, so the others may still be checked.
          if (!isAssayError(err) || err.kind !== 'invalid' || !err.details.fields) throw err;
          invalid.push(err.details.fields);
        }
      }
      if (invalid.length > 0) throw new AssayError('invalid', 'Bulk validation failed.', { items: invalid, reason: 'bulk' });
      return out;
    });
  }

  createMany(actor: Actor, role: DevilryRole, model: BulkCreateModel, items: unknown[]): Promise<number[]> {
    const create = { deadline: 'createDeadline', delivery: 'createDelivery', staticfeedback: 'createFeedback' } as const;
    return this.run(items, (trx, item) => {
      const data = asObject(item);
      if (!data) throw AssayError.field(null, 'invalid', 'Each item must be a JSON object.');
      if (isAdministered(model)) return this.administered.create(actor, model, data, trx);
      return this.examining[create[model]](actor, role, data, trx);
    });
  }

  /** Each item names its object by `pk` (or `id`). */
  updateMany(actor: Actor, role: DevilryRole, model: BulkUpdateModel, items: unknown[]): Promise<number[]> {
    return this.run(items, async (trx, item) => {
      const data = asObject(item);
      const pk = data ? (data.pk ?? data.id) : undefined;
      if (!data || typeof pk !== 'number' || !Number.isSafeInteger(pk)) throw AssayError.field('pk', 'required', 'This field is required.');
      if (isAdministered(model)) await this.administered.update(actor, model, pk, data, trx);
      else if (model === 'assignmentgroup') await this.groups.update(actor, role, pk, data, trx);
      else if (model === 'deadline') await this.examining.updateDeadline(actor, role, pk, data, trx);
      else await this.examining.updateDelivery(actor, role, pk, data, trx);
      return pk;
    });
  }

  deleteMany(actor: Actor, role: DevilryRole, model: BulkDeleteModel, ids: unknown[]): Promise<number[]> {
    const remove = { deadline: 'deleteDeadline', delivery: 'deleteDelivery', staticfeedback: 'deleteFeedback', filemeta: 'deleteFile' } as const;
    return this.run(ids, async (trx, id) => {
      if (typeof id !== 'number' || !Number.isSafeInteger(id)) throw AssayError.forbidden();
      if (isAdministered(model)) await this.administered.delete(actor, model, id, trx);
      else await this.examining[remove[model]](actor, role, id, trx);
      return id;
    });
  }
}
