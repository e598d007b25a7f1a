/**
 * Building Devilry's hierarchy (superusers): nodes, subjects, periods (courses), assignments
 * (exercises) and assignment groups with their candidates, examiners and tags.
 */
import type { Actor } from '../actor.ts';
import { isAdmin } from '../actor.ts';
import type { Clock } from '../clock.ts';
import { AssayError } from '../errors.ts';
import type { Db } from '../../db/database.ts';
import { assertEditable, FieldChecker } from './fields.ts';
import type { LevelModel, LevelPatch, NewAssignment, NewPeriod } from './hierarchy.repo.ts';
import { hierarchyRepo } from './hierarchy.repo.ts';

export interface NewGroup {
  assignmentId: number;
  name?: string;
  isOpen?: boolean;
  candidates?: { username: string; candidateId?: string }[];
  examiners?: string[];
  tags?: string[];
}

export class HierarchyService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** One transaction for a write of several rows. */
  inTransaction<T>(fn: (trx: Db) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  private assertSuperuser(actor: Actor): void {
    if (!isAdmin(actor)) throw AssayError.forbidden();
  }

  async createNode(actor: Actor, input: { shortName: string; longName?: string; parentId?: number | null }): Promise<number> {
    this.assertSuperuser(actor);
    return hierarchyRepo.insertNode(this.db, { parentnode_id: input.parentId ?? null, short_name: input.shortName, long_name: input.longName ?? '' });
  }

  async createSubject(actor: Actor, input: { nodeId: number; shortName: string; longName?: string }): Promise<number> {
    this.assertSuperuser(actor);
    return hierarchyRepo.insertSubject(this.db, { node_id: input.nodeId, short_name: input.shortName, long_name: input.longName ?? '' });
  }

  async createPeriod(actor: Actor, input: NewPeriod): Promise<number> {
    this.assertSuperuser(actor);
    return this.db.transaction().execute((trx) => hierarchyRepo.insertPeriod(trx, input, this.clock.now()));
  }

  async createAssignment(actor: Actor, input: NewAssignment): Promise<number> {
    this.assertSuperuser(actor);
    return this.db.transaction().execute((trx) => hierarchyRepo.insertAssignment(trx, input, this.clock.now()));
  }

  async createGroup(actor: Actor, input: NewGroup): Promise<number> {
    this.assertSuperuser(actor);
    const names = [...(input.candidates ?? []).map((c) => c.username), ...(input.examiners ?? [])];
    const users = new Map((await hierarchyRepo.userIdsByUsername(this.db, names)).map((u) => [u.username, u.id]));
    const missing = names.find((n) => !users.has(n));
    if (missing !== undefined) throw new AssayError('invalid', `Invalid username: ${missing}`, { reason: 'invalid_username' });
    return this.db.transaction().execute(async (trx) => {
      const id = await hierarchyRepo.insertGroup(trx, { exerciseId: input.assignmentId, name: input.name ?? '', isOpen: input.isOpen ?? true }, this.clock.now());
      for (const c of input.candidates ?? []) await hierarchyRepo.addMember(trx, id, users.get(c.username)!, 'candidate', c.candidateId ?? null);
      for (const e of input.examiners ?? []) await hierarchyRepo.addMember(trx, id, users.get(e)!, 'examiner');
      for (const t of input.tags ?? []) await hierarchyRepo.addTag(trx, id, t);
      return id;
    });
  }
}

/** A list of usernames, written as strings or as `{<key>: username}` objects (admin group writes). */
function usernames(value: unknown, key: string): string[] | null {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return null;
  const out: string[] = [];
  for (const v of value) {
    const name = typeof v === 'string' ? v : v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
    if (typeof name !== 'string' || name === '') return null;
    out.push(name);
  }
  return out;
}

/** The administrator's create of each level, from the wire's field names (reference §6.6 and §1.2). */
export class HierarchyWrites {
  constructor(private readonly hierarchy: HierarchyService) {}

  async create(actor: Actor, model: string, input: Record<string, unknown>): Promise<number> {
    const check = new FieldChecker(input);
    const shortName = model === 'assignmentgroup' ? '' : check.text('short_name', { max: 20 });
    const longName = model === 'assignmentgroup' ? '' : (check.text('long_name', { required: false, max: 100 }) ?? '');
    const parent = model === 'node' ? (check.int('parentnode', { required: false }) ?? null) : check.int('parentnode');
    switch (model) {
      case 'node':
        check.done();
        return this.hierarchy.createNode(actor, { shortName: shortName!, longName, parentId: parent });
      case 'subject':
        check.done();
        return this.hierarchy.createSubject(actor, { nodeId: parent!, shortName: shortName!, longName });
      case 'period': {
        const startTime = check.datetime('start_time', { required: false }) ?? null;
        const endTime = check.datetime('end_time', { required: false }) ?? null;
        check.done();
        return this.hierarchy.createPeriod(actor, { subjectId: parent!, shortName: shortName!, longName, startTime, endTime });
      }
      case 'assignment': {
        const publishingTime = check.datetime('publishing_time');
        const anonymous = check.bool('anonymous', false);
        const deliveryTypes = check.int('delivery_types', { required: false, min: 0 }) ?? 0;
        const scale = check.int('scale_points_percent', { required: false, min: 0 }) ?? 100;
        check.done();
        return this.hierarchy.createAssignment(actor, {
          periodId: parent!, shortName: shortName!, longName, publishingTime: publishingTime!, anonymous: anonymous!, deliveryTypes, scalePointsPercent: scale,
        });
      }
      case 'assignmentgroup': {
        const name = check.text('name', { required: false, max: 30 }) ?? '';
        const isOpen = check.bool('is_open', true);
        const candidates = usernames(input.candidates, 'student');
        const examiners = usernames(input.examiners, 'user');
        const tags = usernames(input.tags, 'tag');
        for (const [field, list] of [['candidates', candidates], ['examiners', examiners], ['tags', tags]] as const) {
          if (list === null) check.problems.push({ field, code: 'invalid', message: 'Enter a list of values.' });
        }
        check.done();
        const ids = new Map(
          (Array.isArray(input.candidates) ? input.candidates : []).map((c) =>
            c && typeof c === 'object' ? [String((c as Record<string, unknown>).student), (c as Record<string, unknown>).candidate_id] : [String(c), undefined],
          ),
        );
        return this.hierarchy.createGroup(actor, {
          assignmentId: parent!,
          name,
          isOpen: isOpen!,
          candidates: candidates!.map((username) => {
            const candidateId = ids.get(username);
            return { username, candidateId: typeof candidateId === 'string' ? candidateId : undefined };
          }),
          examiners: examiners!,
          tags: tags!,
        });
      }
      default:
        throw new AssayError('not_implemented', 'Not implemented');
    }
  }

  /** The administrator's update of one level (superusers); fields outside the level's own are refused by name. */
  async update(actor: Actor, model: string, id: number, input: Record<string, unknown>): Promise<void> {
    if (!isAdmin(actor)) throw AssayError.forbidden();
    const editable = EDITABLE[model];
    if (!editable) throw new AssayError('not_implemented', 'Not implemented');
    assertEditable(input, editable);
    const check = new FieldChecker(input);
    const has = (k: string) => k in input;
    const patch: LevelPatch = {
      shortName: has('short_name') ? check.text('short_name', { max: 20 }) : undefined,
      longName: has('long_name') ? check.text('long_name', { max: 100 }) : undefined,
      parent: has('parentnode') ? (model === 'node' ? (check.int('parentnode', { required: false }) ?? null) : check.int('parentnode')) : undefined,
      startTime: has('start_time') ? (check.datetime('start_time', { required: false }) ?? null) : undefined,
      endTime: has('end_time') ? (check.datetime('end_time', { required: false }) ?? null) : undefined,
      publishingTime: has('publishing_time') ? check.datetime('publishing_time') : undefined,
      anonymous: has('anonymous') ? check.bool('anonymous', false) : undefined,
      deliveryTypes: has('delivery_types') ? check.int('delivery_types', { min: 0 }) : undefined,
      scalePointsPercent: has('scale_points_percent') ? check.int('scale_points_percent', { min: 0 }) : undefined,
      name: has('name') ? check.text('name', { required: false, max: 30 }) ?? '' : undefined,
      isOpen: has('is_open') ? check.bool('is_open', true) : undefined,
    };
    check.done();
    await this.hierarchy.inTransaction(async (trx) => {
      if (!(await hierarchyRepo.updateLevel(trx, model as LevelModel, id, patch))) throw AssayError.forbidden();
    });
  }

  /** Deletes a node, a subject, a period, an assignment or a group with everything below it (superusers only, as upstream for objects with children). */
  async delete(actor: Actor, model: string, id: number): Promise<void> {
    if (!isAdmin(actor)) throw AssayError.forbidden();
    await this.hierarchy.inTransaction(async (trx) => {
      const deleted =
        model === 'node' || model === 'subject'
          ? await hierarchyRepo.deleteUpper(trx, model, id)
          : model === 'period' || model === 'assignment' || model === 'assignmentgroup'
            ? await hierarchyRepo.deleteLevel(trx, model, id)
            : null;
      if (deleted === null) throw new AssayError('not_implemented', 'Not implemented');
      if (!deleted) throw AssayError.forbidden();
    });
  }
}

/** What the administrator may change on each level. */
const EDITABLE: Record<string, string[]> = {
  node: ['short_name', 'long_name', 'parentnode'],
  subject: ['short_name', 'long_name', 'parentnode'],
  period: ['short_name', 'long_name', 'parentnode', 'start_time', 'end_time'],
  assignment: ['short_name', 'long_name', 'publishing_time', 'anonymous', 'delivery_types', 'scale_points_percent'],
  assignmentgroup: ['name', 'is_open'],
};
