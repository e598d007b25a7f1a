import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { api, ok } from '../api/client.ts';
import { Failure } from '../components/failure.tsx';
import { PageShown } from '../components/page-shown.tsx';
import { ExerciseStaffNav } from '../components/staff-nav.tsx';
import { When } from '../format.tsx';

/**
 * Per-student extensions of an exercise, for those who manage its course: days added to the due
 * and end dates, or no end date at all; given, changed and taken back (each in the audit trail).
 */
export default function ExtensionsPage() {
  const id = Number(useParams().id);
  const client = useQueryClient();
  const overview = useQuery({ queryKey: ['exercise', id], queryFn: () => ok(api.GET('/exercises/{id}/overview/', { params: { path: { id } } })) });
  const courseId = overview.data?.course.id;
  const roster = useQuery({
    queryKey: ['course', courseId, 'roster'],
    enabled: courseId !== undefined,
    queryFn: () => ok(api.GET('/courses/{id}/enrollments/', { params: { path: { id: courseId! } } })),
  });
  const extensions = useQuery({ queryKey: ['exercise', id, 'extensions'], queryFn: () => ok(api.GET('/exercises/{id}/extensions/', { params: { path: { id } } })) });
  const [user, setUser] = useState('');
  const [days, setDays] = useState('1');
  const [infinite, setInfinite] = useState(false);
  const refresh = () => client.invalidateQueries({ queryKey: ['exercise', id, 'extensions'] });
  const save = useMutation({
    mutationFn: (input: { user: number; days: number; infinite: boolean }) =>
      ok(api.PUT('/exercises/{id}/extensions/{user}/', { params: { path: { id, user: input.user } }, body: { days: input.days, infinite: input.infinite } })),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: (who: number) => ok(api.DELETE('/exercises/{id}/extensions/{user}/', { params: { path: { id, user: who } } })),
    onSuccess: refresh,
  });

  if (overview.isPending || extensions.isPending) return <p className="loading">Loading the extensions…</p>;
  if (overview.isError) return <Failure error={overview.error} />;
  if (extensions.isError) return <Failure error={extensions.error} />;
  const exercise = overview.data;
  const students = (roster.data ?? []).filter((m) => m.role === 'student');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (user !== '') save.mutate({ user: Number(user), days: Number(days), infinite });
  };
  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/">Home</Link> › <Link to={`/c/${exercise.course.id}`}>{exercise.course.name}</Link> › <Link to={`/e/${id}`}>{exercise.name}</Link>
      </nav>
      <h1>Extensions: {exercise.name}</h1>
      <PageShown page="extensions" />
      <ExerciseStaffNav exerciseId={id} />
      {extensions.data.length === 0 ? (
        <p>No student has an extension on this exercise.</p>
      ) : (
        <div className="table-wrap">
          <table aria-label="Extensions">
            <thead>
              <tr>
                <th>Student</th>
                <th>Extension</th>
                <th>Changed</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {extensions.data.map((x) => (
                <tr key={x.user} data-user={x.username}>
                  <td>{x.username}</td>
                  <td>{x.infinite ? 'No end date' : `${x.days} ${x.days === 1 ? 'day' : 'days'}`}</td>
                  <td>
                    <When at={x.updated_at} />
                  </td>
                  <td>
                    <button type="button" disabled={remove.isPending} onClick={() => remove.mutate(x.user)}>
                      Take back {x.username}’s extension
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {remove.isError && <Failure error={remove.error} />}
      <h2>Give or change an extension</h2>
      <form onSubmit={submit}>
        <label>
          Student
          <select value={user} onChange={(e) => setUser(e.target.value)} required>
            <option value="">Choose a student</option>
            {students.map((s) => (
              <option key={s.user} value={s.user}>
                {s.username}
                {s.first_name || s.last_name ? ` (${`${s.first_name} ${s.last_name}`.trim()})` : ''}
              </option>
            ))}
          </select>
        </label>
        <label>
          Days added to the due and end dates
          <input type="number" min={0} max={3650} value={days} disabled={infinite} onChange={(e) => setDays(e.target.value)} />
        </label>
        <label className="check">
          <input type="checkbox" checked={infinite} onChange={(e) => setInfinite(e.target.checked)} /> No end date at all
        </label>
        <p>
          <button type="submit" disabled={save.isPending || user === ''}>
            Save extension
          </button>
          {save.isSuccess && <span role="status"> Saved for {save.data.username}.</span>}
        </p>
        {save.isError && <Failure error={save.error} />}
        {roster.isError && <Failure error={roster.error} />}
      </form>
    </>
  );
}
