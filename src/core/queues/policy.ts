import type { Actor } from '../actor.ts';
import { Clearance, isStaff } from '../actor.ts';

/** Who may do what with queues. Pure rules; services and early checks read them. */
export const queuePolicy = {
  /** Checkers and above read queues (students read their own path on `me`). */
  mayRead: (a: Actor): boolean => a.clearance >= Clearance.checker,
  mayManage: (a: Actor): boolean => isStaff(a),
};

/** Who may attempt each queue action at all, before any object is looked up. */
export const queueAttempts = {
  'queues.read': queuePolicy.mayRead,
  'queues.write': queuePolicy.mayManage,
};
