import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { api, ok, rawFetch } from '../api/client.ts';
import type { paths } from '../api/schema.d.ts';
import { Failure } from '../components/failure.tsx';
import { PageShown } from '../components/page-shown.tsx';
import { Problems } from '../components/settings-form.tsx';
import { CourseStaffNav } from '../components/staff-nav.tsx';
import { When } from '../format.tsx';

/** What a sync did (the API's answer; multipart requests go through rawFetch, so it is named here). */
type Report = paths['/courses/{id}/directory/']['post']['responses'][200]['content']['application/json'];

/** The course directory as a zip: synced as `assay course sync` does; a directory with problems lists them all and changes nothing. */
function DirectoryUpload({ courseId, slug }: { courseId: number; slug: string }) {
  const client = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const sync = useMutation({
    mutationFn: async (zip: File): Promise<Report> => {
      const form = new FormData();
      form.append('file', zip, zip.name);
      const response = await rawFetch(`/courses/${courseId}/directory/`, { method: 'POST', body: form });
      return (await response.json()) as Report;
    },
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ['curriculum', courseId] });
      await client.invalidateQueries({ queryKey: ['course-settings', courseId] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (file) sync.mutate(file);
  };
  const report = sync.data;
  return (
    <section aria-labelledby="directory">
      <h2 id="directory">Course directory</h2>
      <p className="muted">
        A zip of the course directory (course.yaml at its top or in its one folder, one folder per exercise), checked as <code>assay course sync</code> checks it. Its
        course.yaml must have <code>slug: {slug}</code>. When anything is wrong, every problem is listed and nothing changes.
      </p>
      <form onSubmit={submit} className="row">
        <label>
          Zip file
          <input type="file" accept=".zip,application/zip" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        </label>
        <button type="submit" disabled={!file || sync.isPending}>
          {sync.isPending ? 'Uploading…' : 'Upload and sync'}
        </button>
      </form>
      <Problems error={sync.error} intro="The directory was not synced (nothing changed):" />
      {report && (
        <div role="status" className="sync-report">
          <p>{report.changed ? `Synced course “${report.slug}”.` : 'Nothing changed: the course already matches the directory.'}</p>
          <table>
            <thead>
              <tr>
                <th scope="col">Kind</th>
                <th scope="col">Created</th>
                <th scope="col">Updated</th>
                <th scope="col">Unchanged</th>
                <th scope="col">Deleted</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(report.counts).map(([kind, c]) => (
                <tr key={kind}>
                  <th scope="row">{kind}</th>
                  <td>{c.created}</td>
                  <td>{c.updated}</td>
                  <td>{c.unchanged}</td>
                  <td>{c.deleted}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>Exercises</h3>
          <ul className="exercises" aria-label="Synced exercises">
            {report.exercises.map((e) => (
              <li key={e.id}>
                <Link to={`/e/${e.id}`}>{e.name}</Link> <Link to={`/e/${e.id}/settings`}>Settings</Link>
              </li>
            ))}
          </ul>
          {report.members.some((m) => m.password) && (
            <>
              <h3>New accounts</h3>
              <p className="muted">Their one-time passwords are shown only now.</p>
              <ul>
                {report.members
                  .filter((m) => m.password)
                  .map((m) => (
                    <li key={m.line}>
                      {m.username} ({m.role}): <code>{m.password}</code>
                    </li>
                  ))}
              </ul>
            </>
          )}
          {report.warnings.length > 0 && (
            <>
              <h3>Warnings</h3>
              <ul>
                {report.warnings.map((w, i) => (
                  <li key={i}>{w}</li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
    </section>
  );
}

/** The course's late policy: grace days across its exercises and the late slack. */
function LatePolicy({ courseId }: { courseId: number }) {
  const client = useQueryClient();
  const query = useQuery({ queryKey: ['course-autolab', courseId], queryFn: () => ok(api.GET('/courses/{id}/autolab/', { params: { path: { id: String(courseId) } } })) });
  const [values, setValues] = useState({ grace_days: '', late_slack: '' });
  useEffect(() => {
    if (query.data) setValues({ grace_days: String(query.data.grace_days), late_slack: String(query.data.late_slack) });
  }, [query.data]);
  const save = useMutation({
    mutationFn: () => ok(api.PATCH('/courses/{id}/autolab/', { params: { path: { id: String(courseId) } }, body: { grace_days: Number(values.grace_days), late_slack: Number(values.late_slack) } })),
    onSuccess: (data) => client.setQueryData(['course-autolab', courseId], data),
  });
  if (query.isPending) return <p className="loading">Loading the late policy…</p>;
  if (query.isError) return <Failure error={query.error} />;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <section aria-labelledby="late-policy">
      <h2 id="late-policy">Late policy</h2>
      <form onSubmit={submit} className="row">
        <label>
          Grace days (whole course)
          <input type="number" min={0} value={values.grace_days} onChange={(e) => setValues({ ...values, grace_days: e.target.value })} />
        </label>
        <label>
          Late slack (seconds)
          <input type="number" min={0} max={86399} value={values.late_slack} onChange={(e) => setValues({ ...values, late_slack: e.target.value })} />
        </label>
        <button type="submit" disabled={save.isPending}>
          Save
        </button>
      </form>
      <Problems error={save.error} />
      {save.isSuccess && <p role="status">Saved.</p>}
    </section>
  );
}

/** A course's settings for those who run it: what it is, its late policy, and its course directory as a zip. */
export default function CourseSettingsPage() {
  const id = Number(useParams().id);
  const query = useQuery({ queryKey: ['course-settings', id], queryFn: () => ok(api.GET('/courses/{id}/settings/', { params: { path: { id } } })) });
  if (query.isPending) return <p className="loading">Loading the course…</p>;
  if (query.isError) return <Failure error={query.error} />;
  const course = query.data;
  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/">Home</Link> › <Link to={`/c/${id}`}>{course.name}</Link>
      </nav>
      <h1>Settings of {course.name}</h1>
      <PageShown page="course-settings" />
      <CourseStaffNav courseId={id} />
      <dl className="facts">
        <dt>Slug</dt>
        <dd>
          <code>{course.slug}</code>
        </dd>
        <dt>Semester</dt>
        <dd>{course.semester || '—'}</dd>
        <dt>Starts</dt>
        <dd>
          <When at={course.start_at} />
        </dd>
        <dt>Ends</dt>
        <dd>
          <When at={course.end_at} />
        </dd>
      </dl>
      <DirectoryUpload courseId={id} slug={course.slug} />
      <LatePolicy courseId={id} />
    </>
  );
}
