import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import type { ExercisesService } from '../courses/exercises.service.ts';
import type { FieldProblem } from '../errors.ts';
import { AssayError } from '../errors.ts';
import { displayName } from '../identity/users.service.ts';
import { peopleRepo } from '../progress/progress.repo.ts';
import type { HelpResponsesService } from './help-responses.service.ts';
import type { Help, HelpService } from './help.service.ts';
import type { HelpResponseType, HelpStatus } from './help-enums.ts';

export const MAX_QUESTION_TITLE = 200;
export const MAX_QUESTION_TEXT = 10_000;

export interface Person {
  id: number;
  name: string;
}

export interface QuestionReply {
  id: number;
  author: Person | null;
  text: string | null;
  type: HelpResponseType;
  created_at: string;
}

/** A help thread as the web app shows it (Hive's help thread underneath). */
export interface Question {
  id: number;
  title: string;
  status: HelpStatus;
  exercise: { id: number; name: string } | null;
  user: Person;
  /** Who holds the thread's lock (handles it), if anyone. */
  checker: Person | null;
  created_at: string;
  last_staff_updated: string;
  replies: QuestionReply[];
}

function textProblems(field: string, value: string, max: number): FieldProblem[] {
  if (value.trim() === '') return [{ field, code: 'blank', message: 'This field may not be blank.' }];
  if ([...value].length > max) return [{ field, code: 'max_length', message: `Ensure this field has no more than ${max} characters.` }];
  return [];
}

/**
 * Students' questions about an exercise, as Hive help threads of type `Exercise` whose first
 * response is the question: Hive's rules decide who sees, answers and handles them (help.service,
 * help-responses.service), so they show in Hive and in the checker's inbox as any help thread.
 */
export class HelpQuestions {
  constructor(
    private readonly db: Db,
    private readonly exercises: ExercisesService,
    private readonly helps: HelpService,
    private readonly responses: HelpResponsesService,
  ) {}

  /** Opens a thread about an exercise the actor can see, with the question as its first response. */
  async ask(actor: Actor, exerciseId: number, input: { title: string; text: string }): Promise<Question> {
    const exercise = await this.exercises.get(actor, exerciseId);
    const problems = [...textProblems('title', input.title, MAX_QUESTION_TITLE), ...textProblems('text', input.text, MAX_QUESTION_TEXT)];
    if (problems.length > 0) throw AssayError.invalid(problems);
    const thread = await this.helps.create(actor, { user: actor.id, help_type: 'Exercise', title: input.title.trim(), exercise_id: exercise.id });
    try {
      await this.responses.create(actor, thread.id, { response_type: 'Comment', contents: input.text });
    } catch (e) {
      // A thread without its question is no thread: take it back.
      await this.helps.delete(actor, thread.id).catch(() => undefined);
      throw e;
    }
    return this.get(actor, thread.id);
  }

  /** The threads the actor sees (a student: their own), newest first, optionally about one exercise; without replies. */
  async list(actor: Actor, exerciseId?: number): Promise<Question[]> {
    const threads = await this.helps.list(actor, exerciseId === undefined ? {} : { exerciseId });
    const out = await this.render(threads.sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id - a.id));
    return out.map((q) => ({ ...q, replies: [] }));
  }

  async get(actor: Actor, id: number): Promise<Question> {
    return (await this.render([await this.helps.get(actor, id)]))[0]!;
  }

  /** A reply (a `Comment` response) on a thread the actor may answer on. */
  async reply(actor: Actor, id: number, text: string): Promise<QuestionReply> {
    const problems = textProblems('text', text, MAX_QUESTION_TEXT);
    if (problems.length > 0) throw AssayError.invalid(problems);
    const response = await this.responses.create(actor, id, { response_type: 'Comment', contents: text });
    const names = await peopleRepo.names(this.db, [actor.id]);
    return { id: response.id, author: person(actor.id, names), text: response.contents, type: response.response_type, created_at: response.created_at };
  }

  private async render(threads: Help[]): Promise<Question[]> {
    const ids = threads.flatMap((t) => [t.user_id, ...(t.checker_id === null ? [] : [t.checker_id]), ...t.responses.flatMap((r) => (r.user_id === null ? [] : [r.user_id]))]);
    const names = await peopleRepo.names(this.db, ids);
    return threads.map((t) => ({
      id: t.id,
      title: t.title,
      status: t.help_status,
      exercise: t.exercise ? { id: t.exercise.id, name: t.exercise.name } : null,
      user: person(t.user_id, names) ?? { id: t.user_id, name: '' },
      checker: t.checker_id === null ? null : person(t.checker_id, names),
      created_at: t.created_at,
      last_staff_updated: t.last_staff_updated,
      replies: t.responses.map((r) => ({
        id: r.id,
        author: r.user_id === null ? null : person(r.user_id, names),
        text: r.contents,
        type: r.response_type,
        created_at: r.created_at,
      })),
    }));
  }
}

function person(id: number, names: Map<number, { first_name: string; last_name: string; username: string }>): Person | null {
  const row = names.get(id);
  return row ? { id, name: displayName(row) } : null;
}
