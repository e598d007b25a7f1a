import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { api, ok } from '../api/client.ts';
import { LiveBadge, useLiveEvents } from '../api/events.tsx';
import { Failure } from '../components/failure.tsx';
import { When } from '../format.tsx';
import { PageShown } from '../components/page-shown.tsx';

type Filter = 'course' | 'exercise' | 'student' | 'status' | 'kind';

const STATUSES = ['Submitted', 'AutoChecked', 'Open'] as const;
const KINDS: [string, string][] = [
  ['assignment', 'Assignments'],
  ['help', 'Help threads'],
];

/** One labelled filter of the inbox: "" (the first option) means no filter. */
function FilterSelect(props: { label: string; value: string; onChange: (value: string) => void; any: string; options: [string, string][] }) {
  return (
    <label>
      {props.label}
      <select value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        <option value="">{props.any}</option>
        {props.options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Where an inbox item opens: an assignment's grading page, or the help thread. */
export const itemPath = (item: { kind: string; id: number }) => (item.kind === 'help' ? `/help/${item.id}` : `/check/${item.id}`);

/**
 * A checker's inbox: assignments to check and open help threads, oldest first, filtered by course,
 * exercise, student, status and kind (kept in the address), updating live. Two requests: the
 * inbox and the courses (for the course filter).
 */
export default function InboxPage() {
  const [params, setParams] = useSearchParams();
  const client = useQueryClient();
  const filter = (name: Filter) => params.get(name) ?? '';
  const number = (name: Filter) => (filter(name) === '' ? undefined : Number(filter(name)));
  const query = {
    course: number('course'),
    exercise: number('exercise'),
    student: number('student'),
    status: (filter('status') || undefined) as (typeof STATUSES)[number] | undefined,
    kind: (filter('kind') || undefined) as 'assignment' | 'help' | undefined,
  };
  const inbox = useQuery({ queryKey: ['inbox', query], queryFn: () => ok(api.GET('/inbox/', { params: { query } })) });
  const courses = useQuery({ queryKey: ['me', 'courses'], queryFn: () => ok(api.GET('/me/courses/')) });
  // Followed once the list shows (the list is what it updates).
  const live = useLiveEvents(inbox.isSuccess ? `inbox=${query.course ?? 'all'}` : null, ['inbox'], () => void client.invalidateQueries({ queryKey: ['inbox'] }));
  const set = (name: Filter, value: string) => {
    const next = new URLSearchParams(params);
    if (value === '') next.delete(name);
    else next.set(name, value);
    if (name === 'course') next.delete('exercise');
    setParams(next, { replace: true });
  };
  const items = inbox.data?.items ?? [];
  const exercises = new Map(items.flatMap((i) => (i.exercise ? [[i.exercise.id, i.exercise.name] as const] : [])));
  const students = new Map(items.map((i) => [i.student.id, i.student.name] as const));
  const gradingCourses = (courses.data?.courses ?? []).filter((c) => c.role !== 'student');

  return (
    <>
      <h1>
        Inbox <LiveBadge state={live} />
      </h1>
      <form className="filters" aria-label="Filter the inbox" onSubmit={(e) => e.preventDefault()}>
        <FilterSelect label="Course" value={filter('course')} onChange={(v) => set('course', v)} any="All courses" options={gradingCourses.map((c) => [String(c.id), c.name])} />
        <FilterSelect label="Exercise" value={filter('exercise')} onChange={(v) => set('exercise', v)} any="All exercises" options={[...exercises].map(([id, name]) => [String(id), name])} />
        <FilterSelect label="Student" value={filter('student')} onChange={(v) => set('student', v)} any="All students" options={[...students].map(([id, name]) => [String(id), name])} />
        <FilterSelect label="Status" value={filter('status')} onChange={(v) => set('status', v)} any="Any status" options={STATUSES.map((s) => [s, s])} />
        <FilterSelect label="Kind" value={filter('kind')} onChange={(v) => set('kind', v)} any="Assignments and help" options={KINDS} />
      </form>
      {inbox.isPending ? (
        <p className="loading">Loading the inbox…</p>
      ) : inbox.isError ? (
        <Failure error={inbox.error} />
      ) : items.length === 0 ? (
        <p>
          Nothing is waiting. Well done.
          <PageShown page="inbox" />
        </p>
      ) : (
        <ol className="inbox-list" aria-label="Waiting, oldest first">
          <PageShown page="inbox" />
          {items.map((item) => (
            <li key={`${item.kind}-${item.id}`}>
              <Link to={itemPath(item)}>
                {item.kind === 'help' ? 'Help: ' : ''}
                {item.title}
              </Link>
              <span>{item.student.name}</span>
              <span className="muted">{item.course?.name}</span>
              <span className={`status status-${item.status.toLowerCase()}`}>{item.status}</span>
              <span className="muted">
                waiting since <When at={item.waiting_since} />
              </span>
              {item.locked_by && <span className="lock lock-other">Locked by {item.locked_by.name}</span>}
            </li>
          ))}
        </ol>
      )}
    </>
  );
}
