import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, ApiError, ok, rawFetch } from '../api/client.ts';
import { CodeView, DiffView } from '../components/code.tsx';
import { Failure } from '../components/failure.tsx';
import { Markdown } from '../components/markdown.tsx';
import { dropDraft, loadDraft, saveDraft } from '../drafts.ts';
import { score, Status, When } from '../format.tsx';
import { useSession } from '../session.tsx';
import { itemPath } from './inbox.tsx';
import { PageShown } from '../components/page-shown.tsx';

interface Verdict {
  comment: string;
  points: Record<string, string>;
}

/** Gives the lock back when the checker leaves the page (keepalive: also when the tab closes). */
function releaseLock(id: number): void {
  void rawFetch(`/assignments/${id}/lock/`, { method: 'DELETE', keepalive: true }).catch(() => undefined);
}

/**
 * Checking one assignment. Opening it takes its lock (another checker's lock opens it read-only,
 * naming the holder); then the files with highlighting and the checker's line comments, the diff
 * to the previous submission, the automatic results, points per problem, a general comment and
 * Done or Redo. `n` goes to the next waiting assignment. Two requests before it shows: the lock and
 * the review (the automatic results follow).
 */
export default function CheckPage() {
  const id = Number(useParams().id);
  const navigate = useNavigate();
  const client = useQueryClient();
  const { me } = useSession();
  const lock = useQuery({
    queryKey: ['lock', id],
    queryFn: async () => {
      try {
        return await ok(api.POST('/assignments/{id}/lock/', { params: { path: { id } } }));
      } catch (e) {
        if (e instanceof ApiError && e.status === 403) return null; // someone else holds it
        throw e;
      }
    },
    staleTime: Infinity,
    gcTime: 0,
  });
  const review = useQuery({ queryKey: ['review', id], queryFn: () => ok(api.GET('/assignments/{id}/review/', { params: { path: { id } } })), enabled: !lock.isPending });
  const holding = lock.data !== null && lock.data !== undefined;
  useEffect(() => () => releaseLock(id), [id]);

  const draftKey = `check.${id}`;
  const [verdict, setVerdictState] = useState<Verdict>(() => loadDraft<Verdict>(draftKey) ?? { comment: '', points: {} });
  const setVerdict = (next: Verdict) => {
    setVerdictState(next);
    saveDraft(draftKey, next);
  };
  const [file, setFile] = useState<string | null>(null);
  const [view, setView] = useState<'file' | 'diff'>('file');
  const [line, setLine] = useState('');
  const [lineText, setLineText] = useState('');

  const latest = review.data?.latest ?? null;
  // The automatic results are the submission's own read, asked for once the page shows.
  const autocheck = useQuery({
    queryKey: ['submission', latest?.id],
    queryFn: () => ok(api.GET('/submissions/{id}/', { params: { path: { id: latest!.id } } })),
    enabled: latest !== null,
  });
  const grading = autocheck.data?.grading ?? null;
  const refresh = () => client.invalidateQueries({ queryKey: ['review', id] });
  const addComment = useMutation({
    mutationFn: () => ok(api.POST('/submissions/{id}/comments/', { params: { path: { id: latest!.id } }, body: { path: file ?? latest!.files[0]!.path, line: Number(line), text: lineText } })),
    onSuccess: async () => {
      setLineText('');
      setLine('');
      await refresh();
    },
  });
  const removeComment = useMutation({
    mutationFn: (commentId: number) => ok(api.DELETE('/submissions/{id}/comments/{comment}/', { params: { path: { id: latest!.id, comment: commentId } } })),
    onSuccess: refresh,
  });
  const decide = useMutation({
    mutationFn: (kind: 'Done' | 'Redo') =>
      ok(
        api.POST('/submissions/{id}/review/', {
          params: { path: { id: latest!.id } },
          body: {
            verdict: kind,
            ...(verdict.comment.trim() !== '' ? { comment: verdict.comment } : {}),
            points: Object.entries(verdict.points)
              .filter(([, v]) => v !== '')
              .map(([problem, points]) => ({ problem: Number(problem), points: Number(points) })),
          },
        }),
      ),
    onSuccess: async (fresh) => {
      dropDraft(draftKey);
      setVerdictState({ comment: '', points: {} });
      client.setQueryData(['review', id], fresh);
      await client.invalidateQueries({ queryKey: ['inbox'] });
    },
  });
  const next = useCallback(async () => {
    const course = review.data?.assignment.course.id;
    const inbox = await ok(api.GET('/inbox/', { params: { query: { kind: 'assignment', ...(course ? { course } : {}) } } }));
    const item = inbox.items.find((i) => i.id !== id && (i.locked_by === null || i.locked_by.id === me?.id));
    await navigate(item ? itemPath(item) : '/inbox');
  }, [review.data, id, me, navigate]);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement;
      if (event.key !== 'n' || event.ctrlKey || event.metaKey || event.altKey || target.closest('input, textarea, select, [contenteditable="true"]')) return;
      event.preventDefault();
      void next();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [next]);

  if (lock.isPending || review.isPending) return <p className="loading">Opening the assignment…</p>;
  if (lock.isError) return <Failure error={lock.error} />;
  if (review.isError) return <Failure error={review.error} />;
  const r = review.data;
  const readOnly = !holding;
  const shown = file ?? latest?.files[0]?.path ?? null;
  const shownFile = latest?.files.find((f) => f.path === shown);
  const before = r.previous?.files.find((f) => f.path === shown);
  const comments = latest?.comments ?? [];

  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/inbox">Inbox</Link> › {r.assignment.course.name}
      </nav>
      <h1>
        {r.assignment.exercise.name}: {r.assignment.student.name}
      </h1>
      <PageShown page="check" />
      <p className={`lock ${readOnly ? 'lock-other' : ''}`} role="status">
        {readOnly ? `Locked by ${r.assignment.locked_by?.name ?? 'another checker'}: read only.` : 'You hold the lock on this assignment.'} <Status status={r.assignment.status} />
      </p>
      <div className="check-actions">
        <button type="button" onClick={() => void next()} aria-keyshortcuts="n">
          Next item (n)
        </button>
      </div>
      {latest === null ? (
        <p>No submission yet.</p>
      ) : (
        <>
          <p className="muted">
            Submission {latest.number}, <When at={latest.created_at} />
            {r.previous && ` (previous: submission ${r.previous.number})`}
          </p>
          <section aria-labelledby="autocheck">
            <h2 id="autocheck">Automatic results</h2>
            {autocheck.isPending ? (
              <p className="loading">Loading…</p>
            ) : grading === null ? (
              <p>Not graded automatically.</p>
            ) : (
              <>
                <p>
                  <span className={`status status-${grading.status}`}>{grading.status}</span> {grading.outcome} — score {score(grading.score, grading.max_score)}
                </p>
                <ul className="tests" aria-label="Tests">
                  {grading.tests.map((t, i) => (
                    <li key={i} className={`test test-${t.status ?? 'none'}`}>
                      <details>
                        <summary>
                          <span className="test-name">{t.name}</span> <span className={`status status-${t.status ?? 'none'}`}>{t.status ?? 'no status'}</span> <span className="test-score">{score(t.score, t.max_score)}</span>
                        </summary>
                        <pre className="output">{t.output || '(no output)'}</pre>
                      </details>
                    </li>
                  ))}
                </ul>
              </>
            )}
          </section>
          <section aria-labelledby="files">
            <h2 id="files">Files</h2>
            <div className="row">
              <label>
                File{' '}
                <select value={shown ?? ''} onChange={(e) => setFile(e.target.value)}>
                  {latest.files.map((f) => (
                    <option key={f.path}>{f.path}</option>
                  ))}
                </select>
              </label>
              <div role="tablist" aria-label="Show" className="tabs">
                <button type="button" role="tab" aria-selected={view === 'file'} onClick={() => setView('file')}>
                  File
                </button>
                <button type="button" role="tab" aria-selected={view === 'diff'} onClick={() => setView('diff')} disabled={r.previous === null}>
                  Changes since the previous submission
                </button>
              </div>
            </div>
            {shown && shownFile && view === 'file' && (
              <CodeView
                filename={shown}
                text={shownFile.text ?? '(not shown: binary or large; download it from the submission)'}
                label={`${shown}, read only`}
                notes={comments.filter((c) => c.path === shown).map((c) => ({ line: c.line, author: c.author?.name ?? 'Checker', text: c.text }))}
                onLineClick={readOnly ? undefined : (n: number) => setLine(String(n))}
              />
            )}
            {shown && view === 'diff' && r.previous && <DiffView filename={shown} before={before?.text ?? ''} after={shownFile?.text ?? ''} />}
            {comments.length > 0 && (
              <ul aria-label="Line comments">
                {comments.map((c) => (
                  <li key={c.id}>
                    <code>
                      {c.path}:{c.line}
                    </code>{' '}
                    {c.text} <span className="muted">— {c.author?.name}</span>{' '}
                    {!readOnly && c.author?.id === me?.id && (
                      <button type="button" onClick={() => removeComment.mutate(c.id)} aria-label={`Delete the comment on ${c.path} line ${c.line}`}>
                        Delete
                      </button>
                    )}
                  </li>
                ))}
              </ul>
            )}
            {!readOnly && (
              <form
                className="row"
                aria-label="Comment on a line"
                onSubmit={(e) => {
                  e.preventDefault();
                  addComment.mutate();
                }}
              >
                <label>
                  Line (or click a line number)
                  <input type="number" min={1} required value={line} onChange={(e) => setLine(e.target.value)} />
                </label>
                <label>
                  Comment on this line
                  <input required value={lineText} onChange={(e) => setLineText(e.target.value)} />
                </label>
                <button type="submit" disabled={addComment.isPending}>
                  Add line comment
                </button>
                {addComment.error && (
                  <p className="error" role="alert">
                    {addComment.error.message}
                  </p>
                )}
              </form>
            )}
          </section>
          <section aria-labelledby="verdict">
            <h2 id="verdict">Grade</h2>
            {r.grade && (
              <div className="comment">
                <strong>{r.grade.author?.name ?? 'Staff'}</strong> <When at={r.grade.created_at} /> {r.grade.points !== null && `${r.grade.points} points`} {r.grade.passing === null ? '' : r.grade.passing ? '(Done)' : '(Redo)'}
                {r.grade.text && <Markdown source={r.grade.text} />}
              </div>
            )}
            {!readOnly && (
              <form onSubmit={(e) => e.preventDefault()} aria-label="Grade this submission">
                {r.problems.map((p) => (
                  <label key={p.id}>
                    Points for {p.name} (0–{p.max_score}{p.points !== null ? `, now ${p.points}` : ''})
                    <input type="number" min={0} max={p.max_score} step="any" value={verdict.points[p.id] ?? ''} onChange={(e) => setVerdict({ ...verdict, points: { ...verdict.points, [p.id]: e.target.value } })} />
                  </label>
                ))}
                <label>
                  General comment (Markdown)
                  <textarea rows={4} value={verdict.comment} onChange={(e) => setVerdict({ ...verdict, comment: e.target.value })} />
                </label>
                {decide.error && (
                  <p className="error" role="alert">
                    {decide.error.message}
                  </p>
                )}
                <div className="check-actions">
                  <button type="button" className="primary" disabled={decide.isPending} onClick={() => decide.mutate('Done')}>
                    Done
                  </button>
                  <button type="button" disabled={decide.isPending} onClick={() => decide.mutate('Redo')}>
                    Redo
                  </button>
                </div>
              </form>
            )}
          </section>
        </>
      )}
    </>
  );
}
