/**
 * Who sees what in Devilry (reference §1.3), as pure decisions the repositories turn into SQL:
 * administrators see everything when superusers and the courses they teach otherwise; examiners
 * the groups they examine on published assignments; students the groups they are candidates in.
 */
import type { Actor } from '../actor.ts';
import { isAdmin } from '../actor.ts';

export type DevilryRole = 'administrator' | 'examiner' | 'student';

export type Visibility =
  | { kind: 'all' }
  | { kind: 'instructor'; userId: number }
  | { kind: 'member'; userId: number; memberRole: 'examiner' | 'candidate'; publishedBefore: string | null };

export function groupVisibility(actor: Actor, role: DevilryRole, now: string): Visibility {
  switch (role) {
    case 'administrator':
      return isAdmin(actor) ? { kind: 'all' } : { kind: 'instructor', userId: actor.id };
    case 'examiner':
      return { kind: 'member', userId: actor.id, memberRole: 'examiner', publishedBefore: now };
    case 'student':
      return { kind: 'member', userId: actor.id, memberRole: 'candidate', publishedBefore: null };
  }
}

/** Operations per role and resource (reference §1.2): S R C U D. */
export type Operation = 'search' | 'read' | 'create' | 'update' | 'delete';

const OPERATIONS: Record<DevilryRole, Record<string, string>> = {
  administrator: {
    node: 'CRUDS', subject: 'CRUDS', period: 'CRUDS', periodapplicationkeyvalue: 'CRUDS', relatedstudent: 'CRUDS',
    relatedexaminer: 'CRUDS', relatedstudentkeyvalue: 'CRUDS', assignment: 'CRUDS', assignmentgroup: 'CRUDS',
    assignmentgrouptag: 'CRUDS', candidate: 'CRUDS', examiner: 'CRUDS', deadline: 'SRCD', delivery: 'SRCUD',
    staticfeedback: 'SRD', filemeta: 'SRD',
  },
  examiner: {
    subject: 'SR', period: 'SR', assignment: 'SR', assignmentgroup: 'SRU', deadline: 'SRCUD', delivery: 'SRCUD',
    staticfeedback: 'SRC', filemeta: 'SR',
  },
  student: {
    subject: 'SR', period: 'SR', relatedstudentkeyvalue: 'SR', assignment: 'SR', assignmentgroup: 'SR', deadline: 'SR',
    delivery: 'SRCU', staticfeedback: 'SR', filemeta: 'SRC',
  },
};

const LETTER: Record<Operation, string> = { search: 'S', read: 'R', create: 'C', update: 'U', delete: 'D' };

/** The resources a role has at all (an unknown one is a 404). */
export function hasResource(role: DevilryRole, model: string): boolean {
  return model in OPERATIONS[role];
}

export function allows(role: DevilryRole, model: string, op: Operation): boolean {
  return (OPERATIONS[role][model] ?? '').includes(LETTER[op]);
}
