import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, ok } from '../api/client.ts';
import { PageShown } from '../components/page-shown.tsx';
import { fromLocalInput, Problems } from '../components/settings-form.tsx';

/** Opens a new course (staff, and instructors of a course: the server decides); its creator instructs it. */
export default function NewCoursePage() {
  const navigate = useNavigate();
  const client = useQueryClient();
  const [form, setForm] = useState({ slug: '', name: '', semester: '', description: '', start_at: '', end_at: '' });
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });
  const create = useMutation({
    mutationFn: () =>
      ok(
        api.POST('/courses/', {
          body: { slug: form.slug, name: form.name, semester: form.semester, description: form.description, start_at: fromLocalInput(form.start_at), end_at: fromLocalInput(form.end_at) },
        }),
      ),
    onSuccess: async (course) => {
      await client.invalidateQueries({ queryKey: ['me', 'courses'] });
      void navigate(`/c/${course.id}/settings`);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/">Home</Link>
      </nav>
      <h1>New course</h1>
      <PageShown page="course-new" />
      <p className="muted">Next you upload the course directory (a zip) on the course’s settings page.</p>
      <form onSubmit={submit} className="settings">
        <label>
          Short name (slug)
          <input value={form.slug} onChange={set('slug')} required maxLength={60} pattern="[a-z0-9][a-z0-9_\-]*" placeholder="intro-python" />
          <span className="muted">Lower-case letters, digits, “-” and “_”; it must match the slug in course.yaml.</span>
        </label>
        <label>
          Name
          <input value={form.name} onChange={set('name')} required maxLength={200} />
        </label>
        <label>
          Semester
          <input value={form.semester} onChange={set('semester')} maxLength={100} />
        </label>
        <label>
          Description
          <textarea value={form.description} onChange={set('description')} rows={3} />
        </label>
        <div className="row">
          <label>
            Starts
            <input type="datetime-local" value={form.start_at} onChange={set('start_at')} />
          </label>
          <label>
            Ends
            <input type="datetime-local" value={form.end_at} onChange={set('end_at')} />
          </label>
        </div>
        <Problems error={create.error} />
        <button type="submit" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create the course'}
        </button>
      </form>
    </>
  );
}
