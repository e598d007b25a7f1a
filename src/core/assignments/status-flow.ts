/**
 * How a response moves its assignment (hive.md §6.2): a pure function of the current state and the
 * response, so the rules are tested on their own.
 */
export type AssignmentStatus = 'New' | 'Work In Progress' | 'Redo' | 'Submitted' | 'AutoChecked' | 'Done';
export const ASSIGNMENT_STATUSES = ['New', 'Work In Progress', 'Redo', 'Submitted', 'AutoChecked', 'Done'] as const;

export type AssignmentResponseType = 'Comment' | 'Work In Progress' | 'Submission' | 'AutoCheck' | 'Redo' | 'Done';
export const ASSIGNMENT_RESPONSE_TYPES = ['Comment', 'Work In Progress', 'Submission', 'AutoCheck', 'Redo', 'Done'] as const;

/** What a student may post; the grading side may post every type. */
export const STUDENT_RESPONSE_TYPES: readonly AssignmentResponseType[] = ['Comment', 'Work In Progress', 'Submission'];

export interface StatusChange {
  /** The new status, or null to leave it as it is. */
  status: AssignmentStatus | null;
  submissions: number;
  totalChecks: number;
  manualChecks: number;
}

export interface AutoCheckVerdict {
  /** The check ran and passed (a grade with outcome success). */
  passed: boolean;
  /** The exercise moves a passed check straight to Done. */
  autodone: boolean;
}

export function statusChangeFor(type: AssignmentResponseType, autocheck?: AutoCheckVerdict): StatusChange {
  switch (type) {
    case 'Comment':
      return { status: null, submissions: 0, totalChecks: 0, manualChecks: 0 };
    case 'Work In Progress':
      return { status: 'Work In Progress', submissions: 0, totalChecks: 0, manualChecks: 0 };
    case 'Submission':
      return { status: 'Submitted', submissions: 1, totalChecks: 0, manualChecks: 0 };
    case 'AutoCheck':
      return { status: autocheck?.passed && autocheck.autodone ? 'Done' : 'AutoChecked', submissions: 0, totalChecks: 1, manualChecks: 0 };
    case 'Redo':
    case 'Done':
      return { status: type, submissions: 0, totalChecks: 1, manualChecks: 1 };
  }
}

/**
 * An automatic check that ends after the student moved on must not undo what happened since: it
 * only moves an assignment that still waits for it (Submitted), or a first result on AutoChecked.
 */
export function autoCheckApplies(current: AssignmentStatus): boolean {
  return current === 'Submitted' || current === 'AutoChecked';
}

/** The status a student sees: staff may hold back the real one (`student_assignment_status`). */
export function studentStatus(status: AssignmentStatus, studentOverride: AssignmentStatus | null): AssignmentStatus {
  return studentOverride ?? status;
}
