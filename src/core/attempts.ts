import type { Actor } from './actor.ts';
import { assignmentAttempts } from './assignments/policy.ts';
import { classAttempts } from './classes/policy.ts';
import { courseAttempts } from './courses/policy.ts';
import { AssayError } from './errors.ts';
import { helpAttempts } from './help/help-policy.ts';
import { identityAttempts } from './identity/policy.ts';
import { notificationAttempts } from './notifications/policy.ts';
import { queueAttempts } from './queues/policy.ts';
import { scheduleAttempts } from './schedule/policy.ts';

/**
 * Every action a caller may be refused before anything is looked up (a view-level permission in
 * DRF's terms, which Hive's clients see as an early 403). Each area's policy module owns its rows;
 * the object-level rules follow in the services, which read the same policy functions.
 */
export const ATTEMPT_TABLES = {
  assignments: assignmentAttempts,
  classes: classAttempts,
  courses: courseAttempts,
  help: helpAttempts,
  identity: identityAttempts,
  notifications: notificationAttempts,
  queues: queueAttempts,
  schedule: scheduleAttempts,
} as const;

const ATTEMPTS: Record<string, (actor: Actor) => boolean> = Object.assign({}, ...Object.values(ATTEMPT_TABLES));

type Tables = typeof ATTEMPT_TABLES;
/** A core action a dialect route names, e.g. `'assignments.create'` or `'queues.write'`. */
export type CoreAction = { [Area in keyof Tables]: keyof Tables[Area] }[keyof Tables];

/** May the actor attempt the action at all? */
export function mayAttempt(actor: Actor, action: CoreAction): boolean {
  return ATTEMPTS[action]!(actor);
}

/** Refuses (403) an actor who may not attempt the action. */
export function assertMayAttempt(actor: Actor, action: CoreAction): void {
  if (!mayAttempt(actor, action)) throw AssayError.forbidden();
}
