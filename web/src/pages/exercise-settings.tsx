import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { api, ok } from '../api/client.ts';
import type { paths } from '../api/schema.d.ts';
import { Failure } from '../components/failure.tsx';
import { PageShown } from '../components/page-shown.tsx';
import { fromLocalInput, Problems, toLocalInput } from '../components/settings-form.tsx';
import { ExerciseStaffNav } from '../components/staff-nav.tsx';

type Settings = paths['/exercises/{id}/settings/']['get']['responses'][200]['content']['application/json'];
type Patch = NonNullable<paths['/exercises/{id}/settings/']['patch']['requestBody']>['content']['application/json'];

const PREVIEWS = ['Disabled', 'Markdown', 'PDF'] as const;
const SOLUTION = { Never: 'Never', 'On Done': 'Once their work is Done', Always: 'Always', 'Staff Only': 'Staff only' } as const;

/** The form's values: text as the inputs hold it (dates in the browser's time zone, numbers as typed, '' for none). */
interface Values {
  start_at: string;
  due_at: string;
  end_at: string;
  max_submissions: string;
  version_threshold: string;
  download: boolean;
  preview: Settings['preview'];
  patbas: Settings['patbas'];
  patbas_download: boolean;
  patbas_preview: Settings['patbas_preview'];
  max_grace_days: string;
  course_grace_days: string;
  course_late_slack: string;
}

const valuesOf = (s: Settings): Values => ({
  start_at: toLocalInput(s.start_at),
  due_at: toLocalInput(s.due_at),
  end_at: toLocalInput(s.end_at),
  max_submissions: s.max_submissions === null ? '' : String(s.max_submissions),
  version_threshold: s.version_threshold === null ? '' : String(s.version_threshold),
  download: s.download,
  preview: s.preview,
  patbas: s.patbas,
  patbas_download: s.patbas_download,
  patbas_preview: s.patbas_preview,
  max_grace_days: String(s.max_grace_days),
  course_grace_days: String(s.course_grace_days),
  course_late_slack: String(s.course_late_slack),
});

const orNull = (text: string): number | null => (text.trim() === '' ? null : Number(text));

const patchOf = (v: Values): Patch => ({
  start_at: fromLocalInput(v.start_at),
  due_at: fromLocalInput(v.due_at),
  end_at: fromLocalInput(v.end_at),
  max_submissions: orNull(v.max_submissions),
  version_threshold: orNull(v.version_threshold),
  download: v.download,
  preview: v.preview,
  patbas: v.patbas,
  patbas_download: v.patbas_download,
  patbas_preview: v.patbas_preview,
  max_grace_days: Number(v.max_grace_days),
  course_grace_days: Number(v.course_grace_days),
  course_late_slack: Number(v.course_late_slack),
});

/** An exercise's deadlines, submission limits, visibility and late policy, for those who run its course. */
export default function ExerciseSettingsPage() {
  const id = Number(useParams().id);
  const client = useQueryClient();
  const query = useQuery({ queryKey: ['exercise-settings', id], queryFn: () => ok(api.GET('/exercises/{id}/settings/', { params: { path: { id } } })) });
  const [values, setValues] = useState<Values | null>(null);
  useEffect(() => {
    if (query.data) setValues(valuesOf(query.data));
  }, [query.data]);
  const save = useMutation({
    mutationFn: (v: Values) => ok(api.PATCH('/exercises/{id}/settings/', { params: { path: { id } }, body: patchOf(v) })),
    onSuccess: async (data) => {
      client.setQueryData(['exercise-settings', id], data);
      await client.invalidateQueries({ queryKey: ['exercise', id] });
    },
  });
  if (query.isError) return <Failure error={query.error} />;
  const data = query.data;
  if (!data || !values) return <p className="loading">Loading the settings…</p>;
  const text = (key: keyof Values) => ({ value: values[key] as string, onChange: (e: { target: { value: string } }) => setValues({ ...values, [key]: e.target.value }) });
  const flag = (key: 'download' | 'patbas_download') => ({ checked: values[key], onChange: (e: { target: { checked: boolean } }) => setValues({ ...values, [key]: e.target.checked }) });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate(values);
  };
  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/">Home</Link> › <Link to={`/c/${data.course.id}`}>{data.course.name}</Link> › <Link to={`/e/${id}`}>{data.name}</Link>
      </nav>
      <h1>Settings of {data.name}</h1>
      <PageShown page="exercise-settings" />
      <ExerciseStaffNav exerciseId={id} />
      <form onSubmit={submit} className="settings">
        <fieldset>
          <legend>Deadlines</legend>
          <p className="muted">In your time zone. Empty: none.</p>
          <div className="row">
            <label>
              Opens
              <input type="datetime-local" {...text('start_at')} />
            </label>
            <label>
              Due
              <input type="datetime-local" {...text('due_at')} />
            </label>
            <label>
              Closes
              <input type="datetime-local" {...text('end_at')} />
            </label>
          </div>
        </fieldset>
        <fieldset>
          <legend>Submission limits</legend>
          <div className="row">
            <label>
              Submissions per student
              <input type="number" min={1} placeholder="No limit" {...text('max_submissions')} />
            </label>
            <label>
              Submissions before a penalty
              <input type="number" min={-1} placeholder="The course’s" {...text('version_threshold')} />
            </label>
          </div>
        </fieldset>
        <fieldset>
          <legend>Visibility</legend>
          <label className="check">
            <input type="checkbox" {...flag('download')} /> Students may download the handout
          </label>
          <label>
            Statement preview
            <select value={values.preview} onChange={(e) => setValues({ ...values, preview: e.target.value as Values['preview'] })}>
              {PREVIEWS.map((p) => (
                <option key={p}>{p}</option>
              ))}
            </select>
          </label>
          <label>
            Students see the reference solution
            <select value={values.patbas} onChange={(e) => setValues({ ...values, patbas: e.target.value as Values['patbas'] })}>
              {Object.entries(SOLUTION).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <label className="check">
            <input type="checkbox" {...flag('patbas_download')} /> …and may download it
          </label>
          <label>
            Solution preview
            <select value={values.patbas_preview} onChange={(e) => setValues({ ...values, patbas_preview: e.target.value as Values['patbas_preview'] })}>
              {PREVIEWS.map((p) => (
                <option key={p}>{p}</option>
              ))}
            </select>
          </label>
        </fieldset>
        <fieldset>
          <legend>Late policy</legend>
          <div className="row">
            <label>
              Grace days this exercise may use
              <input type="number" min={0} {...text('max_grace_days')} />
            </label>
            <label>
              Grace days per student (whole course)
              <input type="number" min={0} {...text('course_grace_days')} />
            </label>
            <label>
              Late slack in seconds (whole course)
              <input type="number" min={0} max={86399} {...text('course_late_slack')} />
            </label>
          </div>
        </fieldset>
        <Problems error={save.error} intro="Nothing was saved:" />
        {save.isSuccess && <p role="status">Saved.</p>}
        <button type="submit" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save'}
        </button>
      </form>
    </>
  );
}
