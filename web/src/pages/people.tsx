import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { api, ok } from '../api/client.ts';
import type { paths } from '../api/schema.d.ts';
import { Failure } from '../components/failure.tsx';
import { PageShown } from '../components/page-shown.tsx';
import { CourseStaffNav } from '../components/staff-nav.tsx';
import { When } from '../format.tsx';

type Member = paths['/courses/{id}/enrollments/']['get']['responses'][200]['content']['application/json'][number];
type Role = Member['role'];
type Report = paths['/courses/{id}/roster/']['post']['responses'][200]['content']['application/json'];

const ROLES: Role[] = ['student', 'checker', 'instructor'];
const ACTIONS: Record<Report['rows'][number]['action'], string> = {
  create: 'New account, enrolled',
  enrol: 'Enrolled',
  change: 'Role changed',
  unchanged: 'Nothing changes',
};
const SAMPLE = 'username,email,first_name,last_name,role\n';

/**
 * A course's people, for those who manage its members: the roster with roles (change one, drop
 * or remove someone), people added by username or email, and a CSV roster checked first (each
 * row's problem shown, nothing written) and then applied at once.
 */
export default function PeoplePage() {
  const id = Number(useParams().id);
  const course = useQuery({ queryKey: ['curriculum', id], queryFn: () => ok(api.GET('/courses/{id}/curriculum/', { params: { path: { id } } })) });
  const roster = useQuery({ queryKey: ['course', id, 'roster'], queryFn: () => ok(api.GET('/courses/{id}/enrollments/', { params: { path: { id } } })) });
  if (roster.isPending) return <p className="loading">Loading the people…</p>;
  if (roster.isError) return <Failure error={roster.error} />;
  const name = course.data?.course.name ?? 'Course';
  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/">Home</Link> › <Link to={`/c/${id}`}>{name}</Link>
      </nav>
      <h1>People: {name}</h1>
      <PageShown page="people" />
      <CourseStaffNav courseId={id} />
      <Roster course={id} members={roster.data} />
      <AddPeople course={id} />
      <RosterImport course={id} />
    </>
  );
}

function Roster({ course, members }: { course: number; members: Member[] }) {
  const client = useQueryClient();
  const refresh = () => client.invalidateQueries({ queryKey: ['course', course, 'roster'] });
  const change = useMutation({
    mutationFn: ({ user, patch }: { user: number; patch: { role?: Role; dropped?: boolean } }) =>
      ok(api.PATCH('/courses/{id}/enrollments/{user}/', { params: { path: { id: course, user } }, body: patch })),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: (user: number) => ok(api.DELETE('/courses/{id}/enrollments/{user}/', { params: { path: { id: course, user } } })),
    onSuccess: refresh,
  });
  const counts = ROLES.map((r) => {
    const n = members.filter((m) => m.role === r && !m.dropped).length;
    return `${n} ${n === 1 ? r : `${r}s`}`;
  }).join(', ');
  return (
    <section aria-labelledby="roster-heading">
      <h2 id="roster-heading">Roster</h2>
      <p className="muted">{members.length === 0 ? 'Nobody is enrolled yet.' : counts}</p>
      {(change.isError || remove.isError) && <Failure error={(change.error ?? remove.error)!} />}
      {members.length > 0 && (
        <div className="table-wrap">
          <table aria-label="Roster">
            <thead>
              <tr>
                <th>Username</th>
                <th>Name</th>
                <th>Email</th>
                <th>Role</th>
                <th>Section</th>
                <th>Since</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {members.map((m) => (
                <tr key={m.user} data-user={m.username} className={m.dropped ? 'dropped' : undefined}>
                  <td>{m.username}</td>
                  <td>{`${m.first_name} ${m.last_name}`.trim() || '—'}</td>
                  <td>{m.email || '—'}</td>
                  <td>
                    <select
                      aria-label={`Role of ${m.username}`}
                      value={m.role}
                      disabled={change.isPending}
                      onChange={(e) => change.mutate({ user: m.user, patch: { role: e.target.value as Role } })}
                    >
                      {ROLES.map((r) => (
                        <option key={r} value={r}>
                          {r}
                        </option>
                      ))}
                    </select>
                    {m.dropped && <span className="muted"> (dropped)</span>}
                  </td>
                  <td>{m.section || '—'}</td>
                  <td>
                    <When at={m.created_at} />
                  </td>
                  <td className="actions">
                    <button type="button" disabled={change.isPending} onClick={() => change.mutate({ user: m.user, patch: { dropped: !m.dropped } })}>
                      {m.dropped ? `Bring ${m.username} back` : `Drop ${m.username}`}
                    </button>{' '}
                    <button
                      type="button"
                      disabled={remove.isPending}
                      onClick={() => {
                        if (window.confirm(`Remove ${m.username} from the course? Their work stays.`)) remove.mutate(m.user);
                      }}
                    >
                      Remove {m.username}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function AddPeople({ course }: { course: number }) {
  const client = useQueryClient();
  const [names, setNames] = useState('');
  const [role, setRole] = useState<Role>('student');
  const add = useMutation({
    mutationFn: (usernames: string[]) => ok(api.POST('/courses/{id}/enrollments/', { params: { path: { id: course } }, body: { usernames, role } })),
    onSuccess: async () => {
      setNames('');
      await client.invalidateQueries({ queryKey: ['course', course, 'roster'] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const list = names.split(/[\s,;]+/).filter((n) => n !== '');
    if (list.length > 0) add.mutate(list);
  };
  return (
    <section aria-labelledby="add-heading">
      <h2 id="add-heading">Add people</h2>
      <form onSubmit={submit} className="stack">
        <label>
          Usernames or email addresses (existing accounts; separate them by spaces, commas or lines)
          <textarea rows={3} value={names} onChange={(e) => setNames(e.target.value)} />
        </label>
        <label>
          As
          <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <p>
          <button type="submit" disabled={add.isPending || names.trim() === ''}>
            Add
          </button>
          {add.isSuccess && <span role="status"> {add.data.length === 1 ? '1 person added.' : `${add.data.length} people added.`}</span>}
        </p>
        {add.isError && <Problems error={add.error} />}
      </form>
    </section>
  );
}

/** The server's problems, one per line (a 400 names each field). */
function Problems({ error }: { error: Error }) {
  const problems = 'problems' in error && Array.isArray(error.problems) ? (error.problems as { attr: string | null; detail: string }[]) : [];
  if (problems.length < 2) return <Failure error={error} />;
  return (
    <ul className="error" role="alert">
      {problems.map((p, i) => (
        <li key={i}>{p.detail}</li>
      ))}
    </ul>
  );
}

function RosterImport({ course }: { course: number }) {
  const client = useQueryClient();
  const [csv, setCsv] = useState(SAMPLE);
  /** The text the shown report was made from (a changed text must be checked again). */
  const [checked, setChecked] = useState<string | null>(null);
  const run = (preview: boolean) => ok(api.POST('/courses/{id}/roster/', { params: { path: { id: course }, query: { preview } }, body: { csv } }));
  const check = useMutation({ mutationFn: () => run(true), onSuccess: () => setChecked(csv) });
  const apply = useMutation({
    mutationFn: () => run(false),
    onSuccess: () => client.invalidateQueries({ queryKey: ['course', course, 'roster'] }),
  });
  const report = apply.data ?? check.data;
  const current = checked === csv;
  const readFile = async (file: File | undefined) => {
    if (!file) return;
    setCsv(await file.text());
    check.reset();
    apply.reset();
  };
  const lines = (checked ?? '').split(/\r?\n/);
  const problemsOf = (line: number) => report?.problems.filter((p) => p.line === line) ?? [];
  const shownLines = report ? [...new Set([...report.rows.map((r) => r.line), ...report.problems.map((p) => p.line)])].sort((a, b) => a - b) : [];
  return (
    <section aria-labelledby="import-heading">
      <h2 id="import-heading">Import a roster (CSV)</h2>
      <p className="muted">
        A header row, then one person per row. Columns: <code>username</code> (required), <code>email</code>, <code>first_name</code>, <code>last_name</code>, <code>role</code> (student,
        checker or instructor; empty means student). New usernames get an account with a one-time password. Check the file first: nothing is written until every row is right, and
        then all rows are written at once.
      </p>
      <label>
        Roster file <input type="file" accept=".csv,text/csv,text/plain" onChange={(e) => void readFile(e.target.files?.[0])} />
      </label>
      <label>
        Roster CSV
        <textarea
          rows={8}
          className="mono"
          value={csv}
          onChange={(e) => {
            setCsv(e.target.value);
            apply.reset();
          }}
        />
      </label>
      <p>
        <button type="button" disabled={check.isPending} onClick={() => check.mutate()}>
          Check roster
        </button>{' '}
        <button type="button" disabled={!current || !report || report.problems.length > 0 || apply.isPending || apply.isSuccess} onClick={() => apply.mutate()}>
          Apply roster
        </button>
      </p>
      {check.isError && <Failure error={check.error} />}
      {apply.isError && <Problems error={apply.error} />}
      {report && current && (
        <>
          <p role="status" className={report.problems.length > 0 ? 'error' : undefined}>
            {report.problems.length > 0
              ? `${report.problems.length === 1 ? '1 problem' : `${report.problems.length} problems`}: nothing was written. Fix the marked rows and check again.`
              : apply.isSuccess
                ? `Applied: ${report.rows.length === 1 ? '1 row' : `${report.rows.length} rows`} written.`
                : `Every row is right: ${report.rows.length === 1 ? '1 row' : `${report.rows.length} rows`} ready to apply.`}
          </p>
          <div className="table-wrap">
            <table aria-label="Roster check">
              <thead>
                <tr>
                  <th>Line</th>
                  <th>Row</th>
                  <th>Role</th>
                  <th>What happens</th>
                  <th>Problem</th>
                  {apply.isSuccess && <th>One-time password</th>}
                </tr>
              </thead>
              <tbody>
                {shownLines.map((line) => {
                  const row = report.rows.find((r) => r.line === line);
                  const problems = problemsOf(line);
                  return (
                    <tr key={line} data-line={line} className={problems.length > 0 ? 'bad-row' : undefined} aria-invalid={problems.length > 0 || undefined}>
                      <td>{line}</td>
                      <td>{row?.username ?? <code>{lines[line - 1] ?? ''}</code>}</td>
                      <td>{row?.role ?? '—'}</td>
                      <td>{problems.length > 0 ? '—' : row ? ACTIONS[row.action] : '—'}</td>
                      <td className="problem">{problems.map((p) => (p.column ? `${p.column} ${p.message}` : p.message)).join('; ')}</td>
                      {apply.isSuccess && <td className="mono">{row?.password ?? ''}</td>}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          {apply.isSuccess && report.rows.some((r) => r.password) && <p className="muted">Give each new person their one-time password now: it is not shown again.</p>}
        </>
      )}
    </section>
  );
}
