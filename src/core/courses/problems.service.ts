import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import type { FieldProblem } from '../errors.ts';
import { AssayError } from '../errors.ts';
import type { ExercisesService } from './exercises.service.ts';
import { problemsRepo } from './problems.repo.ts';

/** A score component of an exercise (Autolab and INGInious problems), in the exercise's order. */
export interface Problem {
  id: number;
  exercise_id: number;
  name: string;
  description: string;
  max_score: number;
  optional: boolean;
  order: number;
}

export interface ProblemInput {
  name: string;
  description?: string;
  max_score?: number;
  optional?: boolean;
}

export interface ReplaceCounts {
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
}

export const MAX_PROBLEM_NAME = 100;

/** Problems with a list of problems: names present, short and unique; scores finite and not negative. */
export function problemInputProblems(problems: ProblemInput[], field = 'problems'): FieldProblem[] {
  const out: FieldProblem[] = [];
  const seen = new Set<string>();
  problems.forEach((p, i) => {
    const at = `${field}.${i}`;
    if (typeof p.name !== 'string' || p.name.trim() === '') out.push({ field: `${at}.name`, code: 'blank', message: 'This field may not be blank.' });
    else if ([...p.name].length > MAX_PROBLEM_NAME) out.push({ field: `${at}.name`, code: 'max_length', message: `Ensure this field has no more than ${MAX_PROBLEM_NAME} characters.` });
    else if (seen.has(p.name)) out.push({ field: `${at}.name`, code: 'unique', message: `Duplicate problem name "${p.name}".` });
    else seen.add(p.name);
    if (p.max_score !== undefined && (typeof p.max_score !== 'number' || !Number.isFinite(p.max_score) || p.max_score < 0)) {
      out.push({ field: `${at}.max_score`, code: 'min_value', message: 'Ensure this value is a number greater than or equal to 0.' });
    }
  });
  return out;
}

/**
 * Problems of an exercise. Anyone who sees the exercise may read them (their names and maximum
 * scores are part of the statement); replacing them needs the right to manage the exercise.
 */
export class ProblemsService {
  constructor(
    private readonly db: Db,
    private readonly exercises: ExercisesService,
  ) {}

  async list(actor: Actor, exerciseId: number): Promise<Problem[]> {
    await this.exercises.get(actor, exerciseId);
    return this.listTrusted(exerciseId);
  }

  /** Makes the exercise's problems exactly `problems`, in that order (see replaceTrusted). */
  async replace(actor: Actor, exerciseId: number, problems: ProblemInput[]): Promise<Problem[]> {
    await this.exercises.getForWrite(actor, exerciseId);
    await this.db.transaction().execute((tx) => this.replaceTrusted(tx, exerciseId, problems));
    return this.listTrusted(exerciseId);
  }

  async listTrusted(exerciseId: number, db: Db = this.db): Promise<Problem[]> {
    const rows = await problemsRepo.byExercise(db, exerciseId);
    return rows.map((r) => ({ ...r, max_score: Number(r.max_score) }));
  }

  /**
   * Inside the caller's transaction: problems are matched by name, so a kept problem keeps its id
   * (and the grades that point at it); new names are created, missing ones deleted with their
   * grades. `order` is the position in the list.
   */
  async replaceTrusted(db: Db, exerciseId: number, problems: ProblemInput[]): Promise<ReplaceCounts> {
    const invalid = problemInputProblems(problems);
    if (invalid.length > 0) throw AssayError.invalid(invalid);
    const current = new Map((await this.listTrusted(exerciseId, db)).map((p) => [p.name, p]));
    const counts: ReplaceCounts = { created: 0, updated: 0, unchanged: 0, deleted: 0 };
    for (const [order, p] of problems.entries()) {
      const wanted = { description: p.description ?? '', max_score: p.max_score ?? 0, optional: p.optional ?? false, order };
      const existing = current.get(p.name);
      current.delete(p.name);
      if (!existing) {
        await problemsRepo.insert(db, { exercise_id: exerciseId, name: p.name, ...wanted });
        counts.created++;
      } else if (
        existing.description !== wanted.description ||
        existing.max_score !== wanted.max_score ||
        Boolean(existing.optional) !== wanted.optional ||
        existing.order !== wanted.order
      ) {
        await problemsRepo.update(db, existing.id, wanted);
        counts.updated++;
      } else counts.unchanged++;
    }
    const gone = [...current.values()].map((p) => p.id);
    if (gone.length > 0) {
      await problemsRepo.delete(db, gone);
      counts.deleted = gone.length;
    }
    return counts;
  }
}
