import { useMutation, useQuery } from '@tanstack/react-query';
import { unzipSync } from 'fflate';
import { useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { API_BASE, api, ApiError, ok, rawFetch } from '../api/client.ts';
import { CodeEditor } from '../components/code.tsx';
import { Failure } from '../components/failure.tsx';
import { FilePicker, pathProblem } from '../components/file-picker.tsx';
import type { PickedFile } from '../components/file-picker.tsx';
import { HelpThreads } from '../components/help-threads.tsx';
import { Markdown } from '../components/markdown.tsx';
import { loadDraft, saveDraft } from '../drafts.ts';
import { bytes, Status, When } from '../format.tsx';

interface Draft {
  files: Record<string, string>;
  active: string | null;
  answers: Record<string, string>;
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
      const answers = Object.fromEntries(Object.entries(draft.answers).filter(([, v]) => v !== ''));
      if (Object.keys(answers).length > 0) body.append('answers', JSON.stringify(answers));
      const response = await rawFetch(`/exercises/${id}/submissions/`, { method: 'POST', body });
      return (await response.json()) as { id: number };
    },
    onSuccess: (submission) => navigate(`/s/${submission.id}`),
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
      <dl className="facts">
        <dt>Status</dt>
        <dd>
          <Status status={exercise.status} />
        </dd>
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
        <dd>{exercise.submissions_left === null ? `${exercise.submissions_used} used, no limit` : `${exercise.submissions_left} left of ${exercise.max_submissions}`}</dd>
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
                <label key={field.id}>
                  {field.name}
                  {field.description && <span className="muted"> — {field.description}</span>}
                  {field.options.length > 0 ? (
                    <select value={draft.answers[field.name] ?? ''} onChange={(e) => setDraft({ ...draft, answers: { ...draft.answers, [field.name]: e.target.value } })}>
                      <option value="">—</option>
                      {field.options.map((o) => (
                        <option key={o}>{o}</option>
                      ))}
                    </select>
                  ) : (
                    <input value={draft.answers[field.name] ?? ''} onChange={(e) => setDraft({ ...draft, answers: { ...draft.answers, [field.name]: e.target.value } })} />
                  )}
                </label>
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
