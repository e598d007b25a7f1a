import type { Actor } from '../actor.ts';
import { Clearance, isStaff } from '../actor.ts';

/** Who may do what with the schedule. Pure rules; services and early checks read them. */
export const schedulePolicy = {
  /** Lessons, their rules and the kiosk are staff planning: checkers and above read them. */
  mayReadPlanning: (a: Actor): boolean => a.clearance >= Clearance.checker,
  /** Every event, whoever attends it: checkers and above (students see theirs and everyone's). */
  seesEveryEvent: (a: Actor): boolean => a.clearance >= Clearance.checker,
  /** Staff plan: lessons, rules, colors, events, daily reviews, applying a lesson. */
  mayPlan: (a: Actor): boolean => isStaff(a),
};

/** Who may attempt each schedule action at all, before any object is looked up. */
export const scheduleAttempts = {
  'lessons.read': schedulePolicy.mayReadPlanning,
  'lessons.write': schedulePolicy.mayPlan,
  'lessonRules.write': schedulePolicy.mayPlan,
  'colors.write': schedulePolicy.mayPlan,
  'events.write': schedulePolicy.mayPlan,
  'kiosk.read': schedulePolicy.mayReadPlanning,
  'dailyReview.create': schedulePolicy.mayPlan,
};
