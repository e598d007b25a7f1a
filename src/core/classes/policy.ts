import type { Actor } from '../actor.ts';
import { Clearance, isStaff } from '../actor.ts';

/** Who may do what with classes and seats. Pure rules; services and early checks read them. */
export const classPolicy = {
  /** Classes and seats are the staff side of a program: checkers and above read them, students do not. */
  mayRead: (a: Actor): boolean => a.clearance >= Clearance.checker,
  /** Staff change classes and seats (and set a class's queue or lesson). */
  mayManage: (a: Actor): boolean => isStaff(a),
};

/** Who may attempt each class action at all, before any object is looked up. */
export const classAttempts = {
  'classes.write': classPolicy.mayManage,
  'classes.setQueue': classPolicy.mayManage,
  'classes.setLesson': classPolicy.mayManage,
  'classes.autoSeat': classPolicy.mayManage,
  'classes.unassignOverrideQueues': classPolicy.mayManage,
  'seating.write': classPolicy.mayManage,
};
