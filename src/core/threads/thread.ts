/**
 * Assignments and help threads are both "threads": a student's conversation with staff that
 * checkers lock, people subscribe to, and whose responses notify. One reference type names either.
 */
export type ThreadKind = 'assignment' | 'help';

export interface ThreadRef {
  kind: ThreadKind;
  id: number;
}

export const threadTable = { assignment: 'assignments', help: 'help_threads' } as const;
export const threadColumn = { assignment: 'assignment_id', help: 'help_id' } as const;
