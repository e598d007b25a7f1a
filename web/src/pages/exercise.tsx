import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { unzipSync } from 'fflate';
import { lazy, Suspense, useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { API_BASE, api, ApiError, ok, rawFetch } from '../api/client.ts';
import { Failure } from '../components/failure.tsx';
import { FilePicker, pathProblem } from '../components/file-picker.tsx';
import type { PickedFile } from '../components/file-picker.tsx';
import { HelpThreads } from '../components/help-threads.tsx';
import { Markdown } from '../components/markdown.tsx';
import { loadDraft, saveDraft } from '../drafts.ts';
import { bytes, score, Status, When } from '../format.tsx';
import { PageShown } from '../components/page-shown.tsx';
import { ExerciseStaffNav } from '../components/staff-nav.tsx';

// CodeMirror loads only when the student edits here.
const CodeEditor = lazy(async () => ({ default: (await import('../components/code.tsx')).CodeEditor }));

interface Draft {
  files: Record<string, string>;
  active: string | null;
  /** By field name: the text typed, the choice made, or the choices ticked (multiResponse). */
  answers: Record<string, string | string[]>;
}

interface Field {
  name: string;
  type: 'text' | 'number' | 'multiple' | 'multiResponse';
  choices: string[] | null;
  lower_limit: number | null;
  upper_limit: number | null;
  required: boolean;
}

/** The answers as the exercise's fields take them: numbers as numbers, nothing for what is left empty. */
function answersOf(fields: Field[], given: Draft['answers']): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const value = given[field.name];
    if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) continue;
    out[field.name] = field.type === 'number' && typeof value === 'string' ? Number(value) : value;
  }
  return out;
}

const emptyDraft: Draft = { files: {}, active: null, answers: {} };

/** What the server said about a refused hand-in, in words about the hand-in. */
function handInError(error: unknown, paths: string[]): string {
  if (!(error instanceof ApiError)) return 'Handing in failed.';
  const index = /^files\.(\d+)\.path$/.exec(error.attr ?? '');
  if (index) return `${paths[Number(index[1])] ?? 'A file'}: ${error.message}`;
  if (error.status === 413) return 'The files are larger than the exercise accepts. Nothing was handed in.';
  if (error.status === 401) return 'Your session ended. Sign in again; your draft is kept.';
  return error.message;
}

/**
 * An exercise: its description, handout, deadlines and limits, and handing in, by uploading files
 * or a folder or by editing the files here (a draft kept in this browser). Shows after one request
 * (the overview); the list of submissions arrives beside it.
 */
export default function ExercisePage() {
  const id = Number(useParams().id);
  const navigate = useNavigate();
  const client = useQueryClient();
  const overview = useQuery({ queryKey: ['exercise', id], queryFn: () => ok(api.GET('/exercises/{id}/overview/', { params: { path: { id } } })) });
  // Asked for once the page shows: one request before it does.
  const history = useQuery({ queryKey: ['exercise', id, 'submissions'], queryFn: () => ok(api.GET('/exercises/{id}/submissions/', { params: { path: { id } } })), enabled: overview.isSuccess });
  const draftKey = `exercise.${id}`;
  const [draft, setDraftState] = useState<Draft>(() => loadDraft<Draft>(draftKey) ?? emptyDraft);
  const setDraft = (next: Draft) => {
    setDraftState(next);
    saveDraft(draftKey, next);
  };
  const [mode, setMode] = useState<'upload' | 'edit'>(() => (Object.keys(draft.files).length > 0 ? 'edit' : 'upload'));
  const [picked, setPicked] = useState<PickedFile[]>([]);
  const [newPath, setNewPath] = useState('');
  const [message, setMessage] = useState<string | null>(null);

  const handIn = useMutation({
    mutationFn: async (files: { path: string; blob: Blob }[]) => {
      const body = new FormData();
      for (const f of files) body.append('file', f.blob, f.path);
      const answers = answersOf(overview.data?.fields ?? [], draft.answers);
      if (Object.keys(answers).length > 0) body.append('answers', JSON.stringify(answers));
      const response = await rawFetch(`/exercises/${id}/submissions/`, { method: 'POST', body });
      return (await response.json()) as { id: number };
    },
    onSuccess: async (submission) => {
      // What a hand-in changes: this exercise's submissions and counts, the course's and home's status.
      await Promise.all([client.invalidateQueries({ queryKey: ['exercise', id] }), client.invalidateQueries({ queryKey: ['curriculum'] }), client.invalidateQueries({ queryKey: ['me'] })]);
      await navigate(`/s/${submission.id}`);
    },
  });

  if (overview.isPending) return <p className="loading">Loading the exercise…</p>;
  if (overview.isError) return <Failure error={overview.error} />;
  const exercise = overview.data;
  const maxBytes = exercise.limits.max_upload_bytes;

  const startFromHandout = async () => {
    setMessage(null);
    try {
      const zip = new Uint8Array(await (await rawFetch(`/exercises/${id}/handout.zip`)).arrayBuffer());
      const decoder = new TextDecoder('utf-8', { fatal: true });
      const files: Record<string, string> = {};
      const skipped: string[] = [];
      for (const [path, data] of Object.entries(unzipSync(zip))) {
        if (path.endsWith('/')) continue;
        try {
          files[path] = decoder.decode(data);
        } catch {
          skipped.push(path);
        }
      }
      setDraft({ ...draft, files: { ...files, ...draft.files }, active: draft.active ?? Object.keys(files)[0] ?? null });
      if (skipped.length > 0) setMessage(`Not text, so not editable here: ${skipped.join(', ')}`);
    } catch (e) {
      setMessage(e instanceof Error ? e.message : 'The handout could not be opened.');
    }
  };

  const toSend = mode === 'upload' ? picked.map((p) => ({ path: p.path, blob: p.file as Blob })) : Object.entries(draft.files).map(([path, text]) => ({ path, blob: new Blob([text], { type: 'text/plain' }) }));
  const total = toSend.reduce((sum, f) => sum + f.blob.size, 0);
  const badPath = toSend.find((f) => pathProblem(f.path) !== null);
  const noneLeft = exercise.submissions_left !== null && exercise.submissions_left <= 0;
  const blocked = noneLeft ? 'You have used all your submissions.' : badPath ? `${badPath.path}: ${pathProblem(badPath.path)}.` : total > maxBytes ? `The files are larger than ${bytes(maxBytes)}.` : null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (blocked) return;
    handIn.mutate(toSend);
  };

  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/">Home</Link> › <Link to={`/c/${exercise.course.id}`}>{exercise.course.name}</Link>
      </nav>
      <h1>{exercise.name}</h1>
      <PageShown page="exercise" />
      <ExerciseStaffNav exerciseId={exercise.id} />
      <dl className="facts">
        <dt>Status</dt>
        <dd>
          <Status status={exercise.status} />
        </dd>
        <dt>Score</dt>
        <dd>{score(exercise.score, exercise.max_score)}</dd>
        <dt>Opens</dt>
        <dd>
          <When at={exercise.start_at} empty="Open" />
        </dd>
        <dt>Due</dt>
        <dd>
          <When at={exercise.due_at} empty="No due date" />
          {exercise.extension && ` (extension: ${exercise.extension.infinite ? 'no deadline' : `${exercise.extension.days} days`})`}
        </dd>
        <dt>Closes</dt>
        <dd>
          <When at={exercise.end_at} empty="Never" />
        </dd>
        <dt>Submissions</dt>
        <dd>{exercise.submissions_left === null ? `${exercise.submissions} handed in, no limit` : `${exercise.submissions_left} left of ${exercise.max_submissions}`}</dd>
        <dt>Limits</dt>
        <dd>
          {bytes(maxBytes)} per hand-in
          {exercise.limits.wall_seconds !== null && `, ${exercise.limits.wall_seconds} s to run`}
          {exercise.limits.memory_mb !== null && `, ${exercise.limits.memory_mb} MB memory`}
        </dd>
      </dl>
      <section aria-labelledby="description">
        <h2 id="description" className="visually-hidden">
          Description
        </h2>
        <Markdown source={exercise.description} />
      </section>
      {exercise.handout.length > 0 && (
        <section aria-labelledby="handout">
          <h2 id="handout">Handout</h2>
          <p>
            <a className="button" href={`${API_BASE}/exercises/${id}/handout.zip`} download>
              Download the handout (zip)
            </a>
          </p>
          <ul className="muted">
            {exercise.handout.map((f) => (
              <li key={f.path}>
                <code>{f.path}</code> {bytes(f.size)}
              </li>
            ))}
          </ul>
        </section>
      )}
      <section aria-labelledby="hand-in">
        <h2 id="hand-in">Hand in</h2>
        <form onSubmit={submit}>
          <div role="tablist" aria-label="How to hand in" className="tabs">
            <button type="button" role="tab" aria-selected={mode === 'upload'} onClick={() => setMode('upload')}>
              Upload files
            </button>
            <button type="button" role="tab" aria-selected={mode === 'edit'} onClick={() => setMode('edit')}>
              Edit here
            </button>
          </div>
          {mode === 'upload' ? (
            <FilePicker files={picked} onChange={setPicked} maxBytes={maxBytes} />
          ) : (
            <div className="edit">
              <div className="file-tabs" role="group" aria-label="Files">
                {Object.keys(draft.files).map((path) => (
                  <button type="button" key={path} aria-pressed={draft.active === path} onClick={() => setDraft({ ...draft, active: path })}>
                    {path}
                  </button>
                ))}
              </div>
              {draft.active !== null && draft.files[draft.active] !== undefined && (
                <Suspense fallback={<p className="loading">Loading the editor…</p>}>
                <CodeEditor
                  key={draft.active}
                  filename={draft.active}
                  label={`Edit ${draft.active}`}
                  text={draft.files[draft.active]!}
                  onChange={(text) => {
                    const current = loadDraft<Draft>(draftKey) ?? draft;
                    setDraft({ ...current, files: { ...current.files, [draft.active!]: text } });
                  }}
                />
                </Suspense>
              )}
              <div className="row">
                {exercise.handout.length > 0 && (
                  <button type="button" onClick={() => void startFromHandout()}>
                    Start from the handout
                  </button>
                )}
                <label>
                  New file
                  <input value={newPath} onChange={(e) => setNewPath(e.target.value)} placeholder="main.py" />
                </label>
                <button
                  type="button"
                  disabled={newPath.trim() === '' || pathProblem(newPath.trim()) !== null}
                  onClick={() => {
                    const path = newPath.trim();
                    setDraft({ ...draft, files: { ...draft.files, [path]: draft.files[path] ?? '' }, active: path });
                    setNewPath('');
                  }}
                >
                  Add file
                </button>
                {draft.active !== null && (
                  <button
                    type="button"
                    onClick={() => {
                      const files = { ...draft.files };
                      delete files[draft.active!];
                      setDraft({ ...draft, files, active: Object.keys(files)[0] ?? null });
                    }}
                  >
                    Remove {draft.active}
                  </button>
                )}
              </div>
              <p className="muted">Your edits are kept in this browser until you hand them in or remove them.</p>
            </div>
          )}
          {exercise.fields.length > 0 && (
            <fieldset>
              <legend>Answers</legend>
              {exercise.fields.map((field) => (
                <FieldInput key={field.id} field={field} value={draft.answers[field.name]} onChange={(value) => setDraft({ ...draft, answers: { ...draft.answers, [field.name]: value } })} />
              ))}
            </fieldset>
          )}
          {message && <p className="muted">{message}</p>}
          {(blocked ?? handIn.error) && (
            <p className="error" role="alert">
              {blocked ?? handInError(handIn.error, toSend.map((f) => f.path))}
            </p>
          )}
          <button type="submit" className="primary" disabled={blocked !== null || handIn.isPending || toSend.length + Object.keys(draft.answers).length === 0}>
            {handIn.isPending ? 'Handing in…' : 'Hand in'}
          </button>
        </form>
      </section>
      <section aria-labelledby="history">
        <h2 id="history">Your submissions</h2>
        {history.isPending ? (
          <p className="loading">Loading…</p>
        ) : history.isError ? (
          <Failure error={history.error} />
        ) : history.data.length === 0 ? (
          <p>None yet.</p>
        ) : (
          <ol className="history">
            {[...history.data].reverse().map((s) => (
              <li key={s.id}>
                <Link to={`/s/${s.id}`}>Submission {s.number}</Link> <When at={s.created_at} /> <span className="muted">{s.job?.status ?? ''}</span>
              </li>
            ))}
          </ol>
        )}
      </section>
      <HelpThreads exercise={id} />
    </>
  );
}

function FieldInput({ field, value, onChange }: { field: Field & { description: string }; value: string | string[] | undefined; onChange: (value: string | string[]) => void }) {
  const hint = field.description && <span className="muted"> — {field.description}</span>;
  const label = `${field.name}${field.required ? ' (required)' : ''}`;
  if (field.type === 'multiResponse') {
    const ticked = Array.isArray(value) ? value : [];
    return (
      <fieldset>
        <legend>
          {label}
          {hint}
        </legend>
        {(field.choices ?? []).map((choice) => (
          <label key={choice} className="check">
            <input type="checkbox" checked={ticked.includes(choice)} onChange={(e) => onChange(e.target.checked ? [...ticked, choice] : ticked.filter((c) => c !== choice))} /> {choice}
          </label>
        ))}
      </fieldset>
    );
  }
  const text = typeof value === 'string' ? value : '';
  return (
    <label>
      <span>
        {label}
        {hint}
      </span>
      {field.type === 'multiple' ? (
        <select value={text} onChange={(e) => onChange(e.target.value)} required={field.required}>
          <option value="">—</option>
          {(field.choices ?? []).map((choice) => (
            <option key={choice}>{choice}</option>
          ))}
        </select>
      ) : field.type === 'number' ? (
        <input type="number" value={text} min={field.lower_limit ?? undefined} max={field.upper_limit ?? undefined} step="any" required={field.required} onChange={(e) => onChange(e.target.value)} />
      ) : (
        <textarea rows={2} value={text} required={field.required} onChange={(e) => onChange(e.target.value)} />
      )}
    </label>
  );
}
