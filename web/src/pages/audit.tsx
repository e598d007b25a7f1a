import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, ok } from '../api/client.ts';
import type { paths } from '../api/schema.d.ts';
import { Failure } from '../components/failure.tsx';
import { PageShown } from '../components/page-shown.tsx';
import { CourseStaffNav } from '../components/staff-nav.tsx';
import { When } from '../format.tsx';

type Entry = paths['/courses/{id}/audit/']['get']['responses'][200]['content']['application/json'][number];
type Kind = Entry['kind'];

const PAGE = 100;
const KINDS: Record<Kind, string> = { grade: 'Grades', role: 'Roles', extension: 'Extensions' };

/** A value before or after a change, in words. */
function shown(value: unknown): string {
  if (value === null || value === undefined) return 'none';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number' || typeof value === 'string') return String(value);
  if (typeof value === 'object' && 'days' in value && 'infinite' in value) {
    const x = value as { days: number; infinite: boolean };
    return x.infinite ? 'no end date' : `${x.days} ${x.days === 1 ? 'day' : 'days'}`;
  }
  return Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `${k}: ${shown(v)}`)
    .join(', ');
}

/**
 * A course's audit trail, for its instructors: every change of a grade, a role or an extension,
 * who made it and when, with the value before and after; newest first, a hundred at a time.
 */
export default function AuditPage() {
  const id = Number(useParams().id);
  const [kind, setKind] = useState<Kind | ''>('');
  const course = useQuery({ queryKey: ['curriculum', id], queryFn: () => ok(api.GET('/courses/{id}/curriculum/', { params: { path: { id } } })) });
  const trail = useInfiniteQuery({
    queryKey: ['course', id, 'audit', kind],
    initialPageParam: null as number | null,
    queryFn: ({ pageParam }) =>
      ok(api.GET('/courses/{id}/audit/', { params: { path: { id }, query: { limit: PAGE, ...(kind ? { kind } : {}), ...(pageParam !== null ? { before: pageParam } : {}) } } })),
    getNextPageParam: (last) => (last.length === PAGE ? last[last.length - 1]!.id : undefined),
  });
  const name = course.data?.course.name ?? 'Course';
  const entries = trail.data?.pages.flat() ?? [];
  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/">Home</Link> › <Link to={`/c/${id}`}>{name}</Link>
      </nav>
      <h1>Audit trail: {name}</h1>
      <CourseStaffNav courseId={id} />
      <div className="row">
        <label>
          Show
          <select value={kind} onChange={(e) => setKind(e.target.value as Kind | '')}>
            <option value="">Every change</option>
            {Object.entries(KINDS).map(([k, label]) => (
              <option key={k} value={k}>
                {label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {trail.isPending ? (
        <p className="loading">Loading the audit trail…</p>
      ) : trail.isError ? (
        <Failure error={trail.error} />
      ) : (
        <>
          <PageShown page="audit" />
          {entries.length === 0 ? (
            <p>No change recorded yet.</p>
          ) : (
            <div className="table-wrap">
              <table aria-label="Audit trail">
                <thead>
                  <tr>
                    <th>When</th>
                    <th>Who</th>
                    <th>Kind</th>
                    <th>Whose</th>
                    <th>Exercise</th>
                    <th>What</th>
                    <th>Before</th>
                    <th>After</th>
                  </tr>
                </thead>
                <tbody>
                  {entries.map((e) => (
                    <tr key={e.id} data-entry={e.id} data-kind={e.kind}>
                      <td>
                        <When at={e.created_at} />
                      </td>
                      <td className="audit-actor">{e.actor?.username ?? <span className="muted">the system</span>}</td>
                      <td>{e.kind}</td>
                      <td className="audit-subject">{e.subject?.username ?? '—'}</td>
                      <td>
                        {e.exercise ? <Link to={`/e/${e.exercise.id}`}>{e.exercise.name}</Link> : '—'}
                        {e.submission !== null && (
                          <>
                            {' '}
                            (<Link to={`/s/${e.submission}`}>submission</Link>)
                          </>
                        )}
                      </td>
                      <td className="audit-field">{e.field}</td>
                      <td className="audit-before">{shown(e.before)}</td>
                      <td className="audit-after">{shown(e.after)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {trail.hasNextPage && (
            <button type="button" disabled={trail.isFetchingNextPage} onClick={() => void trail.fetchNextPage()}>
              Older changes
            </button>
          )}
        </>
      )}
    </>
  );
}
