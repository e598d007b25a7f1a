import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, ok } from '../api/client.ts';
import { Failure } from '../components/failure.tsx';
import { score, Status, When } from '../format.tsx';
import { PageShown } from '../components/page-shown.tsx';
import { CourseStaffNav } from '../components/staff-nav.tsx';

interface ExerciseCard {
  id: number;
  name: string;
  due_at: string | null;
  end_at: string | null;
  status: string | null;
  score: number | null;
  max_score: number | null;
  submissions: number;
}

function Exercises({ list }: { list: ExerciseCard[] }) {
  return (
    <ul className="exercises">
      {list.map((exercise) => (
        <li key={exercise.id}>
          <Link to={`/e/${exercise.id}`}>{exercise.name}</Link>
          <Status status={exercise.status} />
          <span className="muted">Score {score(exercise.score, exercise.max_score)}</span>
          {(exercise.due_at ?? exercise.end_at) && (
            <span className="muted">
              Due <When at={exercise.due_at ?? exercise.end_at} />
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}

/** A course's curriculum: subjects → modules → exercises, each with its status and score. One request. */
export default function CoursePage() {
  const id = Number(useParams().id);
  const query = useQuery({ queryKey: ['curriculum', id], queryFn: () => ok(api.GET('/courses/{id}/curriculum/', { params: { path: { id } } })) });
  if (query.isPending) return <p className="loading">Loading the course…</p>;
  if (query.isError) return <Failure error={query.error} />;
  const { course, subjects, unfiled } = query.data;
  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/">Home</Link>
      </nav>
      <h1>{course.name}</h1>
      <PageShown page="course" />
      <CourseStaffNav courseId={id} />
      <p className="muted">{course.semester}</p>
      {subjects.map((subject) => (
        <section key={subject.id} className="subject" aria-labelledby={`subject-${subject.id}`}>
          <h2 id={`subject-${subject.id}`}>
            <span className="symbol" style={subject.color ? { background: subject.color, color: '#fff' } : undefined} aria-hidden="true">
              {subject.symbol}
            </span>{' '}
            {subject.name}
          </h2>
          {subject.modules.map((module) => (
            <section key={module.id} className="module">
              <h3>{module.name}</h3>
              <Exercises list={module.exercises} />
            </section>
          ))}
        </section>
      ))}
      {unfiled.length > 0 && (
        <section>
          <h2>Other exercises</h2>
          <Exercises list={unfiled} />
        </section>
      )}
    </>
  );
}
