import { NavLink } from 'react-router';
import { useSession } from '../session.tsx';

/** Where course staff go from a course page: its settings, people, gradebook, grading queue and audit trail. */
export function CourseStaffNav({ courseId }: { courseId: number }) {
  const { me } = useSession();
  if (!me || me.role === 'student') return null;
  return (
    <nav aria-label="Course staff" className="staff-nav">
      <NavLink to={`/c/${courseId}/settings`}>Settings</NavLink>
      <NavLink to={`/c/${courseId}/people`}>People</NavLink>
      <NavLink to={`/c/${courseId}/gradebook`}>Gradebook</NavLink>
      <NavLink to={`/c/${courseId}/queue`}>Queue</NavLink>
      <NavLink to={`/c/${courseId}/audit`}>Audit</NavLink>
    </nav>
  );
}

/** Where course staff go from an exercise page: its settings, grader workbench, extensions and similarity report. */
export function ExerciseStaffNav({ exerciseId }: { exerciseId: number }) {
  const { me } = useSession();
  if (!me || me.role === 'student') return null;
  return (
    <nav aria-label="Exercise staff" className="staff-nav">
      <NavLink to={`/e/${exerciseId}/settings`}>Settings</NavLink>
      <NavLink to={`/e/${exerciseId}/grader`}>Grader</NavLink>
      <NavLink to={`/e/${exerciseId}/extensions`}>Extensions</NavLink>
      <NavLink to={`/e/${exerciseId}/similarity`}>Similarity</NavLink>
    </nav>
  );
}
