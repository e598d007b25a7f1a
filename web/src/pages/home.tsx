import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, ok } from '../api/client.ts';
import { Failure } from '../components/failure.tsx';
import { score, Status, When } from '../format.tsx';
import { PageShown } from '../components/page-shown.tsx';
import { useSession } from '../session.tsx';

/** The signed-in person's courses and, across them, what is due next. One request. */
export default function HomePage() {
  const { me } = useSession();
  const query = useQuery({ queryKey: ['me', 'courses'], queryFn: () => ok(api.GET('/me/courses/')) });
  if (query.isPending) return <p className="loading">Loading your courses…</p>;
  if (query.isError) return <Failure error={query.error} />;
  const { courses, due } = query.data;
  return (
    <>
      <h1>Your courses</h1>
      <PageShown page="home" />
      {me?.role !== 'student' && (
        <p>
          <Link to="/c/new">New course</Link>
        </p>
      )}
      {courses.length === 0 ? (
        <p>You are not in any course yet.</p>
      ) : (
        <ul className="cards">
          {courses.map((course) => (
            <li key={course.id} className="card">
              <Link to={`/c/${course.id}`}>{course.name}</Link>
              <span className="muted">
                {course.semester} · {course.role}
              </span>
              {course.grace_days !== null && (
                <span className="muted">
                  Late days left: {course.grace_days_left ?? 0} of {course.grace_days}
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
      <h2>Due next</h2>
      {due.length === 0 ? (
        <p>Nothing is due.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Exercise</th>
                <th scope="col">Course</th>
                <th scope="col">Due</th>
                <th scope="col">Status</th>
                <th scope="col">Score</th>
                <th scope="col">Left</th>
              </tr>
            </thead>
            <tbody>
              {due.map((item) => (
                <tr key={item.exercise.id}>
                  <td>
                    <Link to={`/e/${item.exercise.id}`}>{item.exercise.name}</Link>
                  </td>
                  <td>{item.course.name}</td>
                  <td>
                    <When at={item.due_at ?? item.end_at} />
                    {item.extension_days ? ` (+${item.extension_days} days)` : ''}
                  </td>
                  <td>
                    <Status status={item.status} />
                  </td>
                  <td>{score(item.score, item.max_score)}</td>
                  <td>{item.submissions_left === null ? 'Unlimited' : `${item.submissions_left} submissions`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
