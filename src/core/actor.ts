/** Global clearance levels (Hive's CourseUser clearance). */
export const Clearance = { student: 1, checker: 2, staff: 3, admin: 5 } as const;
export type ClearanceLevel = 1 | 2 | 3 | 5;

export type CourseRole = 'student' | 'checker' | 'instructor';

/** Who is calling. Every core use case takes one; it never sees HTTP. */
export interface Actor {
  id: number;
  username: string;
  clearance: ClearanceLevel;
}

export const isStaff = (a: Actor): boolean => a.clearance >= Clearance.staff;
export const isAdmin = (a: Actor): boolean => a.clearance >= Clearance.admin;
export const isCheckerOrAbove = (a: Actor): boolean => a.clearance >= Clearance.checker;

/** The highest role a clearance grants, by name (what a client shows and routes by). */
export type GlobalRole = 'admin' | 'staff' | 'checker' | 'student';
export const globalRole = (a: Actor): GlobalRole => (isAdmin(a) ? 'admin' : isStaff(a) ? 'staff' : isCheckerOrAbove(a) ? 'checker' : 'student');
