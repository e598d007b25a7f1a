import type { Actor } from '../actor.ts';
import { Clearance } from '../actor.ts';

/** Who may do what with notifications. Pure rules; services and early checks read them. */
export const notificationPolicy = {
  /** Sending one by hand: checkers and above. */
  maySend: (a: Actor): boolean => a.clearance >= Clearance.checker,
};

/** Who may attempt each notification action at all, before any object is looked up. */
export const notificationAttempts = {
  'notifications.create': notificationPolicy.maySend,
};
