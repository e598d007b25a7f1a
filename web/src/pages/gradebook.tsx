import { useQuery } from '@tanstack/react-query';
import { useDeferredValue, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { API_BASE, api, ok } from '../api/client.ts';
import { Failure } from '../components/failure.tsx';
import { PageShown } from '../components/page-shown.tsx';
import { CourseStaffNav } from '../components/staff-nav.tsx';
import { score } from '../format.tsx';

type Book = NonNullable<Awaited<ReturnType<typeof fetchBook>>>;
type Student = Book['students'][number];
type Cell = Student['cells'][number];

const fetchBook = (id: number) => ok(api.GET('/courses/{id}/gradebook/', { params: { path: { id } } }));

/** How the table is ordered: by name, by total, or by one exercise's score (its index). */
type SortKey = 'name' | 'total' | number;

const fullName = (s: Student) => `${s.last_name}, ${s.first_name}`.replace(/^, |, $/g, '') || s.username;

function compare(key: SortKey, a: Student, b: Student): number {
  if (key === 'name') return fullName(a).localeCompare(fullName(b)) || a.username.localeCompare(b.username);
  if (key === 'total') return a.total - b.total;
  // Students without a score sort below every score.
  return (a.cells[key]!.score ?? -Infinity) - (b.cells[key]!.score ?? -Infinity);
}

/** What a cell says beside its score: lateness (grace and penalty days) and an extension. */
function CellNotes({ cell }: { cell: Cell }) {
  return (
    <>
      {cell.days_late > 0 && (
        <span className="late" title={`${cell.grace_days} grace day(s), ${cell.penalty_days} penalty day(s)`}>
          {cell.days_late}d late
        </span>
      )}
      {cell.extension && <span className="ext">{cell.extension.infinite ? 'ext ∞' : `ext +${cell.extension.days}d`}</span>}
    </>
  );
}

/**
 * A course's gradebook (course staff): students × exercises with status, score, lateness and
 * extensions; filtered by name and section, sorted by any column; the CSV exports (the whole
 * course, or one exercise) are the server's, downloaded as they stream. One request.
 */
export default function GradebookPage() {
  const id = Number(useParams().id);
  const query = useQuery({ queryKey: ['gradebook', id], queryFn: () => fetchBook(id) });
  const [text, setText] = useState('');
  const [section, setSection] = useState('');
  const [lateOnly, setLateOnly] = useState(false);
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({ key: 'name', descending: false });
  const needle = useDeferredValue(text.trim().toLowerCase());
  const book = query.data;
  const sections = useMemo(() => [...new Set((book?.students ?? []).map((s) => s.section).filter((s) => s !== ''))].sort(), [book]);
  const rows = useMemo(() => {
    if (!book) return [];
    const shown = book.students.filter(
      (s) =>
        (needle === '' || [s.username, s.email, s.first_name, s.last_name, `${s.first_name} ${s.last_name}`].some((v) => v.toLowerCase().includes(needle))) &&
        (section === '' || s.section === section) &&
        (!lateOnly || s.cells.some((c) => c.days_late > 0)),
    );
    const sign = sort.descending ? -1 : 1;
    return shown.sort((a, b) => sign * compare(sort.key, a, b) || a.username.localeCompare(b.username));
  }, [book, needle, section, lateOnly, sort]);

  if (query.isPending) return <p className="loading">Loading the gradebook…</p>;
  if (query.isError) return <Failure error={query.error} />;
  const { course, exercises, students } = query.data;
  const sortBy = (key: SortKey) => setSort((s) => ({ key, descending: s.key === key ? !s.descending : key !== 'name' }));
  const ariaSort = (key: SortKey) => (sort.key === key ? (sort.descending ? 'descending' : 'ascending') : 'none');
  const graceColumn = course.grace_days > 0;
  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/">Home</Link> › <Link to={`/c/${id}`}>{course.name}</Link>
      </nav>
      <h1>Gradebook</h1>
      <PageShown page="gradebook" />
      <CourseStaffNav courseId={id} />
      <div className="row">
        <label>
          Filter students
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="Name, username or email" />
        </label>
        {sections.length > 0 && (
          <label>
            Section
            <select value={section} onChange={(e) => setSection(e.target.value)}>
              <option value="">All sections</option>
              {sections.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </label>
        )}
        <label className="check">
          <input type="checkbox" checked={lateOnly} onChange={(e) => setLateOnly(e.target.checked)} /> Late handins only
        </label>
        <a className="button" href={`${API_BASE}/courses/${id}/gradebook.csv`} download>
          Export CSV
        </a>
      </div>
      <p className="muted" aria-live="polite">
        {rows.length === students.length ? `${students.length} students` : `${rows.length} of ${students.length} students`}
      </p>
      <div className="table-wrap gradebook">
        <table>
          <thead>
            <tr>
              <th scope="col" aria-sort={ariaSort('name')}>
                <button type="button" className="sort" onClick={() => sortBy('name')}>
                  Student
                </button>
              </th>
              {exercises.map((e, i) => (
                <th scope="col" key={e.id} aria-sort={ariaSort(i)}>
                  <button type="button" className="sort" onClick={() => sortBy(i)} title={e.name}>
                    {e.slug}
                  </button>
                  <a className="csv" href={`${API_BASE}/exercises/${e.id}/gradebook.csv`} download aria-label={`Export ${e.name} as CSV`}>
                    CSV
                  </a>
                </th>
              ))}
              <th scope="col" aria-sort={ariaSort('total')}>
                <button type="button" className="sort" onClick={() => sortBy('total')}>
                  Total
                </button>
              </th>
              {graceColumn && <th scope="col">Grace days left</th>}
            </tr>
          </thead>
          <tbody>
            {rows.map((s) => (
              <tr key={s.id} data-username={s.username}>
                <th scope="row">
                  {fullName(s)} <span className="muted">{s.username}</span>
                </th>
                {s.cells.map((cell, i) => (
                  <td key={exercises[i]!.id} className={`cell status-${(cell.status ?? 'none').toLowerCase().replace(/\s+/g, '-')}`} title={cell.status ?? 'Not started'}>
                    {cell.latest_submission ? <Link to={`/s/${cell.latest_submission}`}>{score(cell.score, exercises[i]!.max_score)}</Link> : score(cell.score, exercises[i]!.max_score)}
                    <span className="visually-hidden"> {cell.status ?? 'Not started'}</span>
                    <CellNotes cell={cell} />
                  </td>
                ))}
                <td>{s.total}</td>
                {graceColumn && <td>{s.grace_days_left}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
