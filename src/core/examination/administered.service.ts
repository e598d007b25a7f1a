/**
 * What administrators manage around groups and periods: candidates, examiners, group tags, a
 * period's related students and examiners, and the key-value resources. Superusers manage all of
 * it; instructors of a period's course manage that period's objects (reference §1.3).
 */
import type { Actor } from '../actor.ts';
import { isAdmin } from '../actor.ts';
import type { Clock } from '../clock.ts';
import { AssayError } from '../errors.ts';
import { changeEnrolment, enrol, removeEnrolment } from '../enrolment/enrolment-writes.ts';
import type { Db } from '../../db/database.ts';
import type { AdministeredModel } from './administered.repo.ts';
import { ADMINISTERED, RELATED_ROLES } from './administered.repo.ts';
import type { KvTable, MemberRole } from './administered-writes.repo.ts';
import { administeredRepo as repo } from './administered-writes.repo.ts';
import { assertEditable, FieldChecker } from './fields.ts';
import type { SearchResult } from './groups.service.ts';
import type { Item } from './items.ts';
import { normalise } from './items.ts';
import type { DevilryRole } from './policies.ts';
import { groupVisibility } from './policies.ts';
import type { Engine } from '../../db/columns.ts';
import { runSearch } from './search.repo.ts';
import type { ResourceSpec, SearchParams, SearchPlan } from './search.ts';
import { checkExactNumber, compileSearch } from './search.ts';

export type { AdministeredModel } from './administered.repo.ts';
export { ADMINISTERED, isAdministered } from './administered.repo.ts';

const INVALID_CHOICE = 'Select a valid choice. That choice is not one of the available choices.';
const alreadyExists = (model: string, fields: string) => AssayError.field(null, 'unique', `${model} with this ${fields} already exists.`);

/** What each model's update may change. */
const EDITABLE: Record<AdministeredModel, string[]> = {
  candidate: ['student', 'candidate_id', 'assignment_group'],
  examiner: ['user', 'assignmentgroup'],
  assignmentgrouptag: ['assignment_group', 'tag'],
  relatedstudent: ['period', 'user', 'candidate_id', 'tags'],
  relatedexaminer: ['period', 'user', 'tags'],
  relatedstudentkeyvalue: ['relatedstudent', 'application', 'key', 'value', 'student_can_read'],
  periodapplicationkeyvalue: ['period', 'application', 'key', 'value'],
};

const KV_TABLE = { relatedstudentkeyvalue: 'devilry_related_student_kv', periodapplicationkeyvalue: 'devilry_period_kv' } as const;

export class AdministeredService {
  constructor(
    private readonly db: Db,
    private readonly engine: Engine,
    private readonly clock: Clock,
  ) {}

  spec(model: AdministeredModel): ResourceSpec {
    return ADMINISTERED[model].sql.spec;
  }

  private async page(actor: Actor, role: DevilryRole, model: AdministeredModel, plan: SearchPlan): Promise<SearchResult> {
    const r = ADMINISTERED[model];
    const { total, rows } = await runSearch(this.db, this.engine, r.sql, plan, r.visible(groupVisibility(actor, role, this.clock.now())));
    checkExactNumber(plan, total);
    return { total, items: rows.map((row) => normalise(r.sql.spec, plan.fields, row)) };
  }

  search(actor: Actor, role: DevilryRole, model: AdministeredModel, params: SearchParams): Promise<SearchResult> {
    return this.page(actor, role, model, compileSearch(this.spec(model), params));
  }

  async read(actor: Actor, role: DevilryRole, model: AdministeredModel, id: number, params: SearchParams = {}): Promise<Item> {
    const plan = compileSearch(this.spec(model), { result_fieldgroups: params.result_fieldgroups });
    const { items } = await this.page(actor, role, model, { ...plan, conditions: [{ kind: 'compare', field: 'id', op: '=', value: id }], start: 0, limit: 1 });
    if (items.length === 0) throw AssayError.forbidden();
    return items[0]!;
  }

  /** In the caller's transaction (a bulk operation), or in a transaction of its own. */
  private within<T>(trx: Db | undefined, fn: (db: Db) => Promise<T>): Promise<T> {
    return trx ? fn(trx) : this.db.transaction().execute(fn);
  }

  /** Superusers, and instructors of the course; a missing course is as forbidden as another's. */
  private async assertAdministers(db: Db, actor: Actor, courseId: number | undefined): Promise<number> {
    if (courseId === undefined) throw AssayError.forbidden();
    if (!isAdmin(actor) && !(await repo.isInstructor(db, courseId, actor.id))) throw AssayError.forbidden();
    return courseId;
  }

  private async groupOf(db: Db, actor: Actor, groupId: number): Promise<number> {
    await this.assertAdministers(db, actor, await repo.courseOfGroup(db, groupId));
    return groupId;
  }

  private async periodOf(db: Db, actor: Actor, courseId: number): Promise<number> {
    return this.assertAdministers(db, actor, (await repo.isPeriod(db, courseId)) ? courseId : undefined);
  }

  /** A user field: a user id, or a username (an unknown one is `Invalid username: …`). */
  private async user(db: Db, check: FieldChecker, input: Record<string, unknown>, field: string): Promise<number | undefined> {
    const v = input[field];
    if (typeof v === 'string' && !/^\d+$/.test(v) && v !== '') {
      const found = await repo.userByUsername(db, v);
      if (!found) throw new AssayError('invalid', `Invalid username: ${v}`, { reason: 'invalid_username' });
      return found.id;
    }
    const id = check.int(field);
    if (id === undefined) return undefined;
    if (!(await repo.userById(db, id))) {
      check.problems.push({ field, code: 'invalid_choice', message: INVALID_CHOICE });
      return undefined;
    }
    return id;
  }

  async create(actor: Actor, model: AdministeredModel, input: Record<string, unknown>, trx?: Db): Promise<number> {
    return this.within(trx, async (db) => {
      switch (model) {
        case 'candidate':
        case 'examiner':
          return this.createMember(db, actor, model, input);
        case 'assignmentgrouptag': {
          const check = new FieldChecker(input);
          const groupId = check.int('assignment_group');
          const tag = check.text('tag', { max: 20 });
          check.done();
          await this.groupOf(db, actor, groupId!);
          if (await repo.tagExists(db, groupId!, tag!, null)) throw alreadyExists('Assignment group tag', 'Assignment group and Tag');
          return repo.insertTag(db, groupId!, tag!);
        }
        case 'relatedstudent':
        case 'relatedexaminer':
          return this.createRelated(db, actor, model, input);
        case 'relatedstudentkeyvalue':
        case 'periodapplicationkeyvalue':
          return this.createKv(db, actor, model, input);
      }
    });
  }

  private async createMember(db: Db, actor: Actor, model: 'candidate' | 'examiner', input: Record<string, unknown>): Promise<number> {
    const role: MemberRole = model;
    const [userField, groupField] = model === 'candidate' ? ['student', 'assignment_group'] : ['user', 'assignmentgroup'];
    const check = new FieldChecker(input);
    const groupId = check.int(groupField);
    const userId = await this.user(db, check, input, userField);
    const candidateId = model === 'candidate' ? (check.text('candidate_id', { required: false, max: 30 }) ?? null) : null;
    check.done();
    await this.groupOf(db, actor, groupId!);
    if (await repo.memberExists(db, groupId!, userId!, role)) {
      throw model === 'candidate' ? alreadyExists('Candidate', 'Assignment group and Student') : alreadyExists('Examiner', 'Assignmentgroup and User');
    }
    const id = await repo.insertMember(db, groupId!, userId!, role);
    if (candidateId !== null) await repo.setCandidateId(db, groupId!, userId!, candidateId);
    return id;
  }

  private async createRelated(db: Db, actor: Actor, model: 'relatedstudent' | 'relatedexaminer', input: Record<string, unknown>): Promise<number> {
    const check = new FieldChecker(input);
    const courseId = check.int('period');
    const userId = await this.user(db, check, input, 'user');
    const candidateId = model === 'relatedstudent' ? (check.text('candidate_id', { required: false, max: 30 }) ?? null) : null;
    const tags = check.text('tags', { required: false }) ?? '';
    check.done();
    await this.periodOf(db, actor, courseId!);
    const role = model === 'relatedstudent' ? 'student' : 'checker';
    const existing = await repo.enrollmentOf(db, courseId!, userId!);
    if (existing && !existing.dropped) {
      const same = (RELATED_ROLES[model] as readonly string[]).includes(existing.role);
      if (same) throw alreadyExists(model === 'relatedstudent' ? 'Related student' : 'Related examiner', 'Period and User');
      throw AssayError.field('user', 'invalid', `This user is already related to the period as ${existing.role === 'student' ? 'a student' : 'an examiner'}.`);
    }
    // A dropped enrollment comes back in its new role.
    const { id } = await enrol(db, { by: actor.id, at: this.clock.now() }, { courseId: courseId!, userId: userId!, role });
    await repo.setRelated(db, id, { candidate_id: candidateId, tags });
    return id;
  }

  private async createKv(db: Db, actor: Actor, model: keyof typeof KV_TABLE, input: Record<string, unknown>): Promise<number> {
    const table = KV_TABLE[model];
    const check = new FieldChecker(input);
    const ownerField = model === 'relatedstudentkeyvalue' ? 'relatedstudent' : 'period';
    const owner = check.int(ownerField);
    const application = check.text('application', { max: 300 });
    const key = check.text('key', { max: 300 });
    const value = check.text('value', { required: false }) ?? null;
    const studentCanRead = check.bool('student_can_read', false);
    check.done();
    await this.kvOwner(db, actor, table, owner!);
    if (await repo.kvExists(db, table, owner!, application!, key!, null)) throw alreadyExists(kvName(model), `${kvOwnerLabel(model)}, Application and Key`);
    return repo.insertKv(db, table, { owner: owner!, application: application!, key: key!, value, studentCanRead });
  }

  /** The period or related student a key-value belongs to, checked as the caller's to administer. */
  private async kvOwner(db: Db, actor: Actor, table: KvTable, owner: number): Promise<void> {
    if (table === 'devilry_period_kv') await this.periodOf(db, actor, owner);
    else await this.assertAdministers(db, actor, (await repo.enrollment(db, owner, RELATED_ROLES.relatedstudent))?.course_id);
  }

  async update(actor: Actor, model: AdministeredModel, id: number, input: Record<string, unknown>, trx?: Db): Promise<void> {
    await this.within(trx, async (db) => {
      switch (model) {
        case 'candidate':
        case 'examiner':
          return this.updateMember(db, actor, model, id, input);
        case 'assignmentgrouptag': {
          const current = await repo.tag(db, id);
          if (!current) throw AssayError.forbidden();
          await this.groupOf(db, actor, current.assignment_id);
          assertEditable(input, EDITABLE[model]);
          const check = new FieldChecker(input);
          const groupId = 'assignment_group' in input ? check.int('assignment_group') : current.assignment_id;
          const tag = 'tag' in input ? check.text('tag', { max: 20 }) : current.tag;
          check.done();
          if (groupId !== current.assignment_id) await this.groupOf(db, actor, groupId!);
          if (await repo.tagExists(db, groupId!, tag!, id)) throw alreadyExists('Assignment group tag', 'Assignment group and Tag');
          return repo.updateTag(db, id, { assignment_id: groupId!, tag: tag! });
        }
        case 'relatedstudent':
        case 'relatedexaminer':
          return this.updateRelated(db, actor, model, id, input);
        case 'relatedstudentkeyvalue':
        case 'periodapplicationkeyvalue':
          return this.updateKv(db, actor, model, id, input);
      }
    });
  }

  private async updateMember(db: Db, actor: Actor, model: 'candidate' | 'examiner', id: number, input: Record<string, unknown>): Promise<void> {
    const role: MemberRole = model;
    const [userField, groupField] = model === 'candidate' ? ['student', 'assignment_group'] : ['user', 'assignmentgroup'];
    const current = await repo.member(db, id, role);
    if (!current) throw AssayError.forbidden();
    await this.groupOf(db, actor, current.assignment_id);
    assertEditable(input, EDITABLE[model]);
    const check = new FieldChecker(input);
    const groupId = groupField in input ? check.int(groupField) : current.assignment_id;
    const userId = userField in input ? await this.user(db, check, input, userField) : current.user_id;
    const candidateIdGiven = model === 'candidate' && 'candidate_id' in input;
    const candidateId = candidateIdGiven ? (check.text('candidate_id', { required: false, max: 30 }) ?? null) : null;
    check.done();
    const from = { groupId: current.assignment_id, userId: current.user_id };
    const to = { groupId: groupId!, userId: userId! };
    const moved = to.groupId !== from.groupId || to.userId !== from.userId;
    if (moved) {
      if (to.groupId !== from.groupId) await this.groupOf(db, actor, to.groupId);
      if (await repo.memberExists(db, to.groupId, to.userId, role)) {
        throw model === 'candidate' ? alreadyExists('Candidate', 'Assignment group and Student') : alreadyExists('Examiner', 'Assignmentgroup and User');
      }
      const keptId = model === 'candidate' && !candidateIdGiven ? await repo.candidateId(db, from.groupId, from.userId) : null;
      await repo.moveMember(db, id, role, from, to);
      if (model === 'candidate') {
        await repo.setCandidateId(db, from.groupId, from.userId, null);
        await repo.setCandidateId(db, to.groupId, to.userId, candidateIdGiven ? candidateId : keptId);
      }
    } else if (candidateIdGiven) {
      await repo.setCandidateId(db, to.groupId, to.userId, candidateId);
    }
  }

  private async updateRelated(db: Db, actor: Actor, model: 'relatedstudent' | 'relatedexaminer', id: number, input: Record<string, unknown>): Promise<void> {
    const current = await repo.enrollment(db, id, RELATED_ROLES[model]);
    if (!current) throw AssayError.forbidden();
    await this.assertAdministers(db, actor, current.course_id);
    assertEditable(input, EDITABLE[model]);
    const check = new FieldChecker(input);
    const courseId = 'period' in input ? check.int('period') : current.course_id;
    const userId = 'user' in input ? await this.user(db, check, input, 'user') : current.user_id;
    const fields: { candidate_id?: string | null; tags?: string } = {};
    if ('candidate_id' in input) fields.candidate_id = check.text('candidate_id', { required: false, max: 30 }) ?? null;
    if ('tags' in input) fields.tags = check.text('tags', { required: false }) ?? '';
    check.done();
    if (courseId !== current.course_id || userId !== current.user_id) {
      if (courseId !== current.course_id) await this.periodOf(db, actor, courseId!);
      if (await repo.enrollmentOf(db, courseId!, userId!)) {
        throw alreadyExists(model === 'relatedstudent' ? 'Related student' : 'Related examiner', 'Period and User');
      }
      await changeEnrolment(db, { by: actor.id, at: this.clock.now() }, id, { course_id: courseId!, user_id: userId! });
    }
    await repo.setRelated(db, id, fields);
  }

  private async updateKv(db: Db, actor: Actor, model: keyof typeof KV_TABLE, id: number, input: Record<string, unknown>): Promise<void> {
    const table = KV_TABLE[model];
    const current = model === 'relatedstudentkeyvalue' ? await repo.relatedStudentKv(db, id) : await repo.periodKv(db, id);
    if (!current) throw AssayError.forbidden();
    await this.assertAdministers(db, actor, current.course_id);
    assertEditable(input, EDITABLE[model]);
    const ownerField = model === 'relatedstudentkeyvalue' ? 'relatedstudent' : 'period';
    const check = new FieldChecker(input);
    const owner = ownerField in input ? check.int(ownerField) : current.owner;
    const application = 'application' in input ? check.text('application', { max: 300 }) : current.application;
    const key = 'key' in input ? check.text('key', { max: 300 }) : current.key_name;
    const value = 'value' in input ? (check.text('value', { required: false }) ?? null) : current.value_text;
    const previous = 'student_can_read' in current ? Boolean(current.student_can_read) : false;
    const studentCanRead = 'student_can_read' in input ? check.bool('student_can_read', false) : previous;
    check.done();
    if (owner !== current.owner) await this.kvOwner(db, actor, table, owner!);
    if (await repo.kvExists(db, table, owner!, application!, key!, id)) throw alreadyExists(kvName(model), `${kvOwnerLabel(model)}, Application and Key`);
    await repo.updateKv(db, table, id, { owner: owner!, application: application!, key: key!, value, studentCanRead });
  }

  async delete(actor: Actor, model: AdministeredModel, id: number, trx?: Db): Promise<void> {
    await this.within(trx, async (db) => {
      switch (model) {
        case 'candidate':
        case 'examiner': {
          const current = await repo.member(db, id, model);
          if (!current) throw AssayError.forbidden();
          await this.groupOf(db, actor, current.assignment_id);
          return repo.deleteMember(db, id, model, { groupId: current.assignment_id, userId: current.user_id });
        }
        case 'assignmentgrouptag': {
          const current = await repo.tag(db, id);
          if (!current) throw AssayError.forbidden();
          await this.groupOf(db, actor, current.assignment_id);
          return repo.deleteTag(db, id);
        }
        case 'relatedstudent':
        case 'relatedexaminer': {
          const current = await repo.enrollment(db, id, RELATED_ROLES[model]);
          await this.assertAdministers(db, actor, current?.course_id);
          // Its Devilry fields and key-values go with it (foreign keys cascade).
          return removeEnrolment(db, { by: actor.id, at: this.clock.now() }, id);
        }
        case 'relatedstudentkeyvalue':
        case 'periodapplicationkeyvalue': {
          const current = model === 'relatedstudentkeyvalue' ? await repo.relatedStudentKv(db, id) : await repo.periodKv(db, id);
          await this.assertAdministers(db, actor, current?.course_id);
          return repo.deleteKv(db, KV_TABLE[model], id);
        }
      }
    });
  }
}

const kvName = (model: keyof typeof KV_TABLE) => (model === 'relatedstudentkeyvalue' ? 'Related student key value' : 'Period application key value');
const kvOwnerLabel = (model: keyof typeof KV_TABLE) => (model === 'relatedstudentkeyvalue' ? 'Relatedstudent' : 'Period');
