import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, ok } from '../api/client.ts';
import { Failure } from '../components/failure.tsx';
import { PageShown } from '../components/page-shown.tsx';
import { CourseStaffNav } from '../components/staff-nav.tsx';
import { When } from '../format.tsx';

/** How often the queue is asked again while the page is open. */
const REFRESH_MS = 2000;

function wait(seconds: number | null): string {
  if (seconds === null) return '—';
  return seconds < 90 ? `${seconds.toFixed(1)} s` : `${(seconds / 60).toFixed(1)} min`;
}

/**
 * A course's grading queue, live (asked again every two seconds): how many jobs wait, run and
 * failed, the median wait of the last hour, each job with its exercise, student and submission,
 * and failed jobs run again one by one or all at once. For the staff who manage the course.
 */
export default function QueuePage() {
  const id = Number(useParams().id);
  const client = useQueryClient();
  const course = useQuery({ queryKey: ['curriculum', id], queryFn: () => ok(api.GET('/courses/{id}/curriculum/', { params: { path: { id } } })) });
  const queue = useQuery({
    queryKey: ['course', id, 'queue'],
    queryFn: () => ok(api.GET('/courses/{id}/queue/', { params: { path: { id } } })),
    refetchInterval: REFRESH_MS,
  });
  const rerun = useMutation({
    mutationFn: (jobs: number[] | null) => ok(api.POST('/courses/{id}/queue/rerun/', { params: { path: { id } }, body: { jobs } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ['course', id, 'queue'] }),
  });

  if (queue.isPending) return <p className="loading">Loading the queue…</p>;
  if (queue.isError) return <Failure error={queue.error} />;
  const { counts, median_wait_seconds, jobs } = queue.data;
  const name = course.data?.course.name ?? 'Course';
  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/">Home</Link> › <Link to={`/c/${id}`}>{name}</Link>
      </nav>
      <h1>Grading queue: {name}</h1>
      <PageShown page="queue" />
      <CourseStaffNav courseId={id} />
      <dl className="facts" aria-label="Queue summary">
        <dt>Queued</dt>
        <dd className="count-queued">{counts.queued + counts.waiting}</dd>
        <dt>Running</dt>
        <dd className="count-running">{counts.running}</dd>
        <dt>Failed</dt>
        <dd className="count-failed">{counts.failed}</dd>
        <dt>Median wait (last hour)</dt>
        <dd>{wait(median_wait_seconds)}</dd>
      </dl>
      {counts.waiting > 0 && <p className="muted">{counts.waiting} of the queued jobs wait for the sandbox to be back.</p>}
      <p>
        <button type="button" disabled={counts.failed === 0 || rerun.isPending} onClick={() => rerun.mutate(null)}>
          Rerun all failed jobs
        </button>
        {rerun.isSuccess && <span role="status"> {rerun.data.queued === 1 ? '1 job queued again.' : `${rerun.data.queued} jobs queued again.`}</span>}
      </p>
      {rerun.isError && <Failure error={rerun.error} />}
      {jobs.length === 0 ? (
        <p>Nothing is waiting, running or failed.</p>
      ) : (
        <div className="table-wrap">
          <table aria-label="Grading jobs">
            <thead>
              <tr>
                <th>Job</th>
                <th>Exercise</th>
                <th>Student</th>
                <th>Submission</th>
                <th>Status</th>
                <th>Attempts</th>
                <th>Queued</th>
                <th>Why it failed</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {jobs.map((job) => (
                <tr key={job.id} data-job={job.id}>
                  <td>
                    {job.id}
                    {job.kind === 'rerun' && <span className="muted"> (rerun)</span>}
                  </td>
                  <td>
                    <Link to={`/e/${job.exercise.id}`}>{job.exercise.name}</Link>
                  </td>
                  <td>{job.user?.name ?? '—'}</td>
                  <td>{job.submission ? <Link to={`/s/${job.submission.id}`}>Submission {job.submission.number}</Link> : '—'}</td>
                  <td>
                    <span className={`status status-${job.status}`}>{job.status}</span>
                  </td>
                  <td>
                    {job.attempts} of {job.max_attempts}
                  </td>
                  <td>
                    <When at={job.created_at} />
                  </td>
                  <td>{job.error ?? ''}</td>
                  <td>
                    {job.status === 'failed' && (
                      <button type="button" disabled={rerun.isPending} onClick={() => rerun.mutate([job.id])}>
                        Rerun job {job.id}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {jobs.length >= 500 && <p className="muted">The oldest 500 jobs are listed; the counts above are all of them.</p>}
    </>
  );
}
