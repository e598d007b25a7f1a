import type { Db } from '../../db/database.ts';
import type { RowOf, RowPatch } from '../../db/types.ts';
import type { Actor } from '../actor.ts';
import type { Clock } from '../clock.ts';
import { AssayError, doesNotExist } from '../errors.ts';
import type { Exercise, ExercisesService } from './exercises.service.ts';
import { isRowId } from './exercises.service.ts';
import { parseJson, toJson } from '../json-column.ts';

export type FieldType = 'text' | 'number' | 'multiple' | 'multiResponse';
export const FIELD_TYPES = ['text', 'number', 'multiple', 'multiResponse'] as const;

/** An input of an exercise that students or staff fill (Hive: FormField). */
export interface Field {
  id: number;
  exercise_id: number;
  name: string;
  description: string;
  type: FieldType;
  order: number;
  required: boolean;
  staff_responses: boolean;
  hanich_responses: boolean;
  has_value: boolean;
  lower_limit: number | null;
  upper_limit: number | null;
  choices: string[] | null;
  segel_only: boolean;
  metadata: unknown;
  /** Class ids the field applies to; empty means everyone. */
  groups: number[];
}

export interface FieldInput {
  name?: string;
  description?: string;
  type?: FieldType;
  order?: number;
  required?: boolean;
  staff_responses?: boolean;
  hanich_responses?: boolean;
  has_value?: boolean;
  lower_limit?: number | null;
  upper_limit?: number | null;
  choices?: string[] | null;
  segel_only?: boolean;
  metadata?: unknown;
  groups?: number[];
}

export interface FieldWithTopResponses extends Field {
  /** The most frequent answers, most frequent first (at most 10). */
  top_responses: string[];
}

const TOP_RESPONSES = 10;

/** Form fields of an exercise. Reading follows the exercise; `segel_only` fields are hidden from students. */
export class FieldsService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly exercises: ExercisesService,
  ) {}

  private async render(rows: RowOf<'fields'>[]): Promise<Field[]> {
    const groups = new Map<number, number[]>();
    const ids = rows.map((r) => r.id);
    for (let i = 0; i < ids.length; i += 500) {
      const links = await this.db
        .selectFrom('field_groups')
        .select(['field_id', 'class_id'])
        .where('field_id', 'in', ids.slice(i, i + 500))
        .orderBy('class_id')
        .execute();
      for (const l of links) groups.set(l.field_id, [...(groups.get(l.field_id) ?? []), l.class_id]);
    }
    return rows.map(({ created_at: _created, ...r }) => ({
      ...r,
      type: r.type as FieldType,
      choices: parseJson(r.choices) as string[] | null,
      metadata: parseJson(r.metadata),
      groups: groups.get(r.id) ?? [],
    }));
  }

  private async hidesStaffOnly(actor: Actor, exercise: Exercise): Promise<boolean> {
    return !(await this.exercises.isStaffSide(actor, exercise));
  }

  async list(actor: Actor, exerciseId: number): Promise<Field[]> {
    const exercise = await this.exercises.get(actor, exerciseId);
    let q = this.db.selectFrom('fields').selectAll().where('exercise_id', '=', exercise.id);
    if (await this.hidesStaffOnly(actor, exercise)) q = q.where('segel_only', '=', false);
    return this.render(await q.orderBy('id').execute());
  }

  /**
   * The fields of an exercise the caller has already been allowed to see (a response on one of its
   * assignments): `segel_only` ones only for the grading side.
   */
  async ofExercise(exerciseId: number, staffSide: boolean): Promise<Field[]> {
    let q = this.db.selectFrom('fields').selectAll().where('exercise_id', '=', exerciseId);
    if (!staffSide) q = q.where('segel_only', '=', false);
    return this.render(await q.orderBy('id').execute());
  }

  /** A field of this exercise that the actor may see, else not found (also when it belongs to another exercise). */
  async get(actor: Actor, exerciseId: number, fieldId: number): Promise<Field> {
    const exercise = await this.exercises.get(actor, exerciseId);
    const row = isRowId(fieldId)
      ? await this.db.selectFrom('fields').selectAll().where('id', '=', fieldId).where('exercise_id', '=', exercise.id).executeTakeFirst()
      : undefined;
    if (!row || (row.segel_only && (await this.hidesStaffOnly(actor, exercise)))) throw AssayError.notFound();
    return (await this.render([row]))[0]!;
  }

  /** The field, when the actor may change it (parent, then child, then permission). */
  async getForWrite(actor: Actor, exerciseId: number, fieldId: number): Promise<Field> {
    const field = await this.get(actor, exerciseId, fieldId);
    await this.exercises.getForWrite(actor, exerciseId);
    return field;
  }

  private async checkGroups(groups: number[] | undefined): Promise<number[] | undefined> {
    if (groups === undefined) return undefined;
    const wanted = [...new Set(groups)];
    const valid = wanted.filter(isRowId);
    const found = new Set(valid.length > 0 ? (await this.db.selectFrom('classes').select('id').where('id', 'in', valid).execute()).map((r) => r.id) : []);
    const problems = wanted
      .filter((id) => !found.has(id))
      .map((id) => doesNotExist('groups', id));
    if (problems.length > 0) throw AssayError.invalid(problems);
    return wanted;
  }

  private columns(input: FieldInput): RowPatch<'fields'> {
    const { groups: _groups, choices, metadata, ...rest } = input;
    const patch: RowPatch<'fields'> = { ...rest };
    if (choices !== undefined) patch.choices = toJson(choices);
    if (metadata !== undefined) patch.metadata = toJson(metadata);
    return patch;
  }

  private async setGroups(tx: Db, fieldId: number, groups: number[]): Promise<void> {
    await tx.deleteFrom('field_groups').where('field_id', '=', fieldId).execute();
    if (groups.length > 0) await tx.insertInto('field_groups').values(groups.map((class_id) => ({ field_id: fieldId, class_id }))).execute();
  }

  async create(actor: Actor, exerciseId: number, input: FieldInput & { name: string; type: FieldType }): Promise<Field> {
    const exercise = await this.exercises.getForWrite(actor, exerciseId);
    const groups = await this.checkGroups(input.groups);
    const id = await this.db.transaction().execute(async (tx) => {
      const row = await tx
        .insertInto('fields')
        .values({ ...this.columns(input), name: input.name, type: input.type, exercise_id: exercise.id, created_at: this.clock.now() })
        .returning('id')
        .executeTakeFirstOrThrow();
      await this.setGroups(tx, row.id, groups ?? []);
      return row.id;
    });
    return this.get(actor, exerciseId, id);
  }

  async update(actor: Actor, exerciseId: number, fieldId: number, input: FieldInput): Promise<Field> {
    await this.getForWrite(actor, exerciseId, fieldId);
    const groups = await this.checkGroups(input.groups);
    const patch = this.columns(input);
    await this.db.transaction().execute(async (tx) => {
      if (Object.keys(patch).length > 0) await tx.updateTable('fields').set(patch).where('id', '=', fieldId).execute();
      if (groups !== undefined) await this.setGroups(tx, fieldId, groups);
    });
    return this.get(actor, exerciseId, fieldId);
  }

  async delete(actor: Actor, exerciseId: number, fieldId: number): Promise<void> {
    await this.getForWrite(actor, exerciseId, fieldId);
    await this.db.deleteFrom('fields').where('id', '=', fieldId).execute();
  }

  /** A copy of the field, under a new name, on the same exercise. */
  async duplicate(actor: Actor, exerciseId: number, fieldId: number, name: string): Promise<Field> {
    const source = await this.getForWrite(actor, exerciseId, fieldId);
    const { id: _id, exercise_id: _exercise, groups, ...rest } = source;
    return this.create(actor, exerciseId, { ...rest, name, groups });
  }

  /** Every field with its most frequent answers; for the grading side only (answers of other students). */
  async listWithTopResponses(actor: Actor, exerciseId: number): Promise<FieldWithTopResponses[]> {
    const exercise = await this.exercises.get(actor, exerciseId);
    if (!(await this.exercises.isStaffSide(actor, exercise))) throw AssayError.forbidden();
    const fields = await this.list(actor, exerciseId);
    const out: FieldWithTopResponses[] = [];
    for (const field of fields) {
      const top = await this.db
        .selectFrom('response_contents')
        .select(['content', (eb) => eb.fn.countAll<number>().as('n')])
        .where('field_id', '=', field.id)
        .where('content', '<>', '')
        .groupBy('content')
        .orderBy('n', 'desc')
        .orderBy('content')
        .limit(TOP_RESPONSES)
        .execute();
      out.push({ ...field, top_responses: top.map((t) => t.content) });
    }
    return out;
  }
}
