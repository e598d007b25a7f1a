import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import { AssayError, doesNotExist } from '../errors.ts';
import type { FieldProblem } from '../errors.ts';
import { missingReferences } from '../courses/references.ts';
import type { LessonsService } from './lessons.service.ts';
import { lessonRulesRepo } from './lessons.repo.ts';

export interface LessonRule {
  id: number;
  lesson_id: number;
  parent_rule_id: number | null;
  queue_id: number | null;
  student_groups: number[];
}

export interface LessonRuleInput {
  parent_rule?: number | null;
  student_groups?: number[];
  queue?: number | null;
}

/** A lesson's rules: which queue the students of some groups (or everyone, without groups) follow. */
export class LessonRulesService {
  constructor(
    private readonly db: Db,
    private readonly lessons: LessonsService,
  ) {}

  /** Every rule of a lesson with its groups, without any permission check (the lesson applier needs them). */
  async rulesOf(lessonId: number): Promise<LessonRule[]> {
    const rows = await lessonRulesRepo.byLesson(this.db, lessonId);
    if (rows.length === 0) return [];
    const groups = await lessonRulesRepo.groupsOf(
      this.db,
      rows.map((r) => r.id),
    );
    return rows.map((r) => ({ ...r, student_groups: groups.filter((g) => g.rule_id === r.id).map((g) => g.class_id) }));
  }

  async list(actor: Actor, lessonId: number): Promise<LessonRule[]> {
    await this.lessons.get(actor, lessonId);
    return this.rulesOf(lessonId);
  }

  async get(actor: Actor, lessonId: number, id: number): Promise<LessonRule> {
    await this.lessons.get(actor, lessonId);
    const rule = (await this.rulesOf(lessonId)).find((r) => r.id === id);
    if (!rule) throw AssayError.notFound();
    return rule;
  }

  private async validate(lessonId: number, selfId: number | null, input: LessonRuleInput): Promise<void> {
    const problems: FieldProblem[] = [
      ...(await missingReferences(this.db, 'queues', [input.queue], 'queue')),
      ...(await missingReferences(this.db, 'classes', input.student_groups ?? [], 'student_groups')),
    ];
    if (input.parent_rule !== undefined && input.parent_rule !== null) {
      const siblings = await this.rulesOf(lessonId);
      const byId = new Map(siblings.map((r) => [r.id, r]));
      const invalid = doesNotExist('parent_rule', input.parent_rule);
      if (!byId.has(input.parent_rule)) problems.push(invalid);
      else {
        // Walking up from the new parent must never reach the rule itself.
        let cursor: number | null = input.parent_rule;
        const seen = new Set<number>();
        while (cursor !== null && !seen.has(cursor)) {
          if (cursor === selfId) {
            problems.push({ field: 'parent_rule', code: 'invalid', message: 'A rule cannot be its own ancestor.' });
            break;
          }
          seen.add(cursor);
          cursor = byId.get(cursor)?.parent_rule_id ?? null;
        }
      }
    }
    if (problems.length > 0) throw AssayError.invalid(problems);
  }

  async create(actor: Actor, lessonId: number, input: LessonRuleInput): Promise<LessonRule> {
    await this.lessons.get(actor, lessonId);
    this.lessons.assertWriter(actor);
    await this.validate(lessonId, null, input);
    const id = await this.db.transaction().execute(async (tx) => {
      const ruleId = await lessonRulesRepo.insert(tx, { lesson_id: lessonId, parent_rule_id: input.parent_rule ?? null, queue_id: input.queue ?? null });
      await lessonRulesRepo.addGroups(tx, ruleId, [...new Set(input.student_groups ?? [])]);
      return ruleId;
    });
    return this.get(actor, lessonId, id);
  }

  async update(actor: Actor, lessonId: number, id: number, input: LessonRuleInput): Promise<LessonRule> {
    await this.get(actor, lessonId, id);
    this.lessons.assertWriter(actor);
    await this.validate(lessonId, id, input);
    await this.db.transaction().execute(async (tx) => {
      const patch: { parent_rule_id?: number | null; queue_id?: number | null } = {};
      if (input.parent_rule !== undefined) patch.parent_rule_id = input.parent_rule;
      if (input.queue !== undefined) patch.queue_id = input.queue;
      if (Object.keys(patch).length > 0) await lessonRulesRepo.update(tx, id, patch);
      if (input.student_groups !== undefined) {
        await lessonRulesRepo.clearGroups(tx, id);
        await lessonRulesRepo.addGroups(tx, id, [...new Set(input.student_groups)]);
      }
    });
    return this.get(actor, lessonId, id);
  }

  async delete(actor: Actor, lessonId: number, id: number): Promise<void> {
    await this.get(actor, lessonId, id);
    this.lessons.assertWriter(actor);
    await lessonRulesRepo.delete(this.db, id);
  }
}
