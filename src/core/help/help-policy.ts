import type { Actor } from '../actor.ts';
import { Clearance, isStaff } from '../actor.ts';
import type { HelpType } from './help-enums.ts';
import { CHAT } from './help-enums.ts';

/**
 * What an actor may do to a help thread it already sees (help-visibility.ts decides that, and an
 * invisible thread is "not found" before any of these rules is asked). Pure rules, hive.md §8:
 * students open threads for themselves and answer on them; the staff side manages them.
 */

/** The staff side: checkers, staff, admins. */
export const onStaffSide = (actor: Actor): boolean => actor.clearance >= Clearance.checker;

/**
 * Opening a thread: students only for themselves; a `Chat` is a staff conversation, so only staff
 * (clearance 3 and above) open one, whoever it is about.
 */
export function mayOpenHelp(actor: Actor, thread: { userId: number; helpType: HelpType }): boolean {
  if (thread.helpType === CHAT && !isStaff(actor)) return false;
  return onStaffSide(actor) || thread.userId === actor.id;
}

/**
 * Changing a thread's fields (title, type, exercise, student, visibility): the staff side, and
 * for a `Chat`, before or after the change, staff only. Students change a thread only by
 * answering on it (a `Resolve` or `Open` response).
 */
export function mayEditHelp(actor: Actor, thread: { helpType: HelpType }, newType?: HelpType): boolean {
  if (!onStaffSide(actor)) return false;
  if ((thread.helpType === CHAT || newType === CHAT) && !isStaff(actor)) return false;
  return true;
}

/** Deleting a thread (with its responses): staff, or the checker who opened it. */
export function mayDeleteHelp(actor: Actor, thread: { createdBy: number | null }): boolean {
  return isStaff(actor) || (onStaffSide(actor) && thread.createdBy === actor.id);
}

/**
 * Posting a response: every response type of a help thread is open to students (hive.md §8:
 * `Comment`, `Open` and `Resolve` are not staff types), but a staff-only response is the staff
 * side's.
 */
export function mayPostHelpResponse(actor: Actor, response: { segelOnly: boolean }): boolean {
  return onStaffSide(actor) || !response.segelOnly;
}

/** Changing or deleting a response: its author or staff, and never making it staff-only from the student side. */
export function mayChangeHelpResponse(actor: Actor, response: { authorId: number | null }, change: { segelOnly?: boolean } = {}): boolean {
  if (response.authorId !== actor.id && !isStaff(actor)) return false;
  return onStaffSide(actor) || change.segelOnly !== true;
}

/** Staff-only responses exist only for the staff side. */
export const seesStaffOnlyResponses = onStaffSide;

/** Who may attempt each help action at all, before any thread is looked up. */
export const helpAttempts = {
  'help.latest': onStaffSide,
  'help.bulkRespond': onStaffSide,
  'help.update': onStaffSide,
  'help.delete': onStaffSide,
  'help.lock': onStaffSide,
  'help.topResponses': onStaffSide,
};
