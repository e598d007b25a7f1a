import { Type } from '@sinclair/typebox';

/**
 * The path parameters of ngshare's routes: names of courses, users and assignments, any text a
 * path segment holds (percent-decoded). The router types each handler's `params` from these.
 */
const Name = Type.String();

export const CourseParams = Type.Object({ course_id: Name });
export const InstructorParams = Type.Object({ course_id: Name, instructor_id: Name });
export const StudentParams = Type.Object({ course_id: Name, student_id: Name });
export const AssignmentParams = Type.Object({ course_id: Name, assignment_id: Name });
export const AssignmentStudentParams = Type.Object({ course_id: Name, assignment_id: Name, student_id: Name });
