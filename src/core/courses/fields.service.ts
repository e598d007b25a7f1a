import type { Db } from '../../db/database.ts';
import type { RowOf, RowPatch } from '../../db/types.ts';
import type { Actor } from '../actor.ts';
import type { Clock } from '../clock.ts';
import { AssayError, doesNotExist } from '../errors.ts';
import type { Exercise, ExercisesService } from './exercises.service.ts';
import { isRowId } from './exercises.service.ts';
import { parseJson, toJson } from '../json-column.ts';
import { fieldsRepo } from './fields.repo.ts';

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
      const links = await fieldsRepo.groupsOf(this.db, ids.slice(i, i + 500));
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
    return this.render(await fieldsRepo.ofExercise(this.db, exercise.id, !(await this.hidesStaffOnly(actor, exercise))));
  }

  /**
   * The fields of an exercise the caller has already been allowed to see (a response on one of its
   * assignments): `segel_only` ones only for the grading side.
   */
  async ofExercise(exerciseId: number, staffSide: boolean): Promise<Field[]> {
    return this.render(await fieldsRepo.ofExercise(this.db, exerciseId, staffSide));
  }

  /** A field of this exercise that the actor may see, else not found (also when it belongs to another exercise). */
  async get(actor: Actor, exerciseId: number, fieldId: number): Promise<Field> {
    const exercise = await this.exercises.get(actor, exerciseId);
    const row = isRowId(fieldId)
      ? await fieldsRepo.inExercise(this.db, exercise.id, fieldId)
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
    const found = await fieldsRepo.existingClassIds(this.db, valid);
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

  async create(actor: Actor, exerciseId: number, input: FieldInput & { name: string; type: FieldType }): Promise<Field> {
    const exercise = await this.exercises.getForWrite(actor, exerciseId);
    const groups = await this.checkGroups(input.groups);
    const id = await this.db.transaction().execute(async (tx) => {
      const fieldId = await fieldsRepo.insert(tx, { ...this.columns(input), name: input.name, type: input.type, exercise_id: exercise.id, created_at: this.clock.now() });
      await fieldsRepo.setGroups(tx, fieldId, groups ?? []);
      return fieldId;
    });
    return this.get(actor, exerciseId, id);
  }

  async update(actor: Actor, exerciseId: number, fieldId: number, input: FieldInput): Promise<Field> {
    await this.getForWrite(actor, exerciseId, fieldId);
    const groups = await this.checkGroups(input.groups);
    const patch = this.columns(input);
    await this.db.transaction().execute(async (tx) => {
      if (Object.keys(patch).length > 0) await fieldsRepo.update(tx, fieldId, patch);
      if (groups !== undefined) await fieldsRepo.setGroups(tx, fieldId, groups);
    });
    return this.get(actor, exerciseId, fieldId);
  }

  async delete(actor: Actor, exerciseId: number, fieldId: number): Promise<void> {
    await this.getForWrite(actor, exerciseId, fieldId);
    await fieldsRepo.delete(this.db, fieldId);
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
      out.push({ ...field, top_responses: await fieldsRepo.topAnswers(this.db, field.id, TOP_RESPONSES) });
    }
    return out;
  }
}
