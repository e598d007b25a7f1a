import type { Db } from '../../db/database.ts';
import { lessonApplyRepo } from './lessons.repo.ts';
import type { LessonRule } from './lesson-rules.service.ts';

/**
 * The rule that decides one student's queue, or null when none applies. A rule applies when it
 * has no groups or the student is in one of them, and its parent rule (if any) applies too.
 * The most specific applying rule wins: deeper in the parent chain first, then a rule with
 * groups over a rule without (a group rule is the student-specific one), then the oldest.
 */
export function ruleForStudent(rules: LessonRule[], studentGroups: ReadonlySet<number>): LessonRule | null {
  const byId = new Map(rules.map((r) => [r.id, r]));
  const matches = (r: LessonRule) => r.student_groups.length === 0 || r.student_groups.some((g) => studentGroups.has(g));
  const depthIfApplies = (rule: LessonRule): number | null => {
    let depth = 0;
    const seen = new Set<number>();
    for (let r: LessonRule | undefined = rule; r; r = r.parent_rule_id === null ? undefined : byId.get(r.parent_rule_id)) {
      if (seen.has(r.id) || !matches(r)) return null;
      seen.add(r.id);
      depth++;
    }
    return depth;
  };
  let best: { rule: LessonRule; depth: number } | null = null;
  for (const rule of rules) {
    const depth = depthIfApplies(rule);
    if (depth === null) continue;
    if (
      !best ||
      depth > best.depth ||
      (depth === best.depth && rule.student_groups.length > 0 && best.rule.student_groups.length === 0)
    ) {
      best = { rule, depth };
    }
  }
  return best?.rule ?? null;
}

/**
 * Applies a lesson to the students (clearance 1) of a class: each student's `override_queue`
 * becomes the queue of the rule that decides for them; students no rule reaches keep theirs.
 * Without a lesson, the class's overrides are cleared. Returns how many students changed.
 */
export async function applyLessonRules(db: Db, classId: number, rules: LessonRule[] | null): Promise<number> {
  const students = await lessonApplyRepo.studentsOf(db, classId);
  if (students.length === 0) return 0;
  const memberships = await lessonApplyRepo.memberships(
    db,
    students.map((s) => s.id),
  );
  const groupsOf = new Map<number, Set<number>>();
  for (const m of memberships) {
    const set = groupsOf.get(m.user_id) ?? new Set<number>();
    set.add(m.class_id);
    groupsOf.set(m.user_id, set);
  }
  // Group the updates by target queue: one UPDATE per distinct queue.
  const byQueue = new Map<number | null, number[]>();
  for (const s of students) {
    let target: number | null;
    if (rules === null) target = null;
    else {
      const rule = ruleForStudent(rules, groupsOf.get(s.id) ?? new Set());
      if (!rule) continue;
      target = rule.queue_id;
    }
    if (target === s.override_queue_id) continue;
    byQueue.set(target, [...(byQueue.get(target) ?? []), s.id]);
  }
  let changed = 0;
  for (const [queueId, ids] of byQueue) {
    await lessonApplyRepo.setOverrideQueue(db, ids, queueId);
    changed += ids.length;
  }
  return changed;
}
