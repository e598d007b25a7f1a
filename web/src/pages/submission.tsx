import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, ok } from '../api/client.ts';
import { LiveBadge, useLiveEvents } from '../api/events.tsx';
import { useSubmissionFile } from '../api/files.ts';
import { CodeView, DiffView } from '../components/code.tsx';
import type { LineNote } from '../components/code.tsx';
import { Failure } from '../components/failure.tsx';
import { Markdown } from '../components/markdown.tsx';
import { score, Status, When } from '../format.tsx';
import { PageShown } from '../components/page-shown.tsx';

const FINISHED = new Set(['done', 'failed']);

/**
 * One submission: its grading arriving live (queue position, the timeline's steps), then every
 * test with its output, staff comments on the lines of the files, the grade, and the history of
 * submissions with a diff between any two. Shows after one request.
 */
export default function SubmissionPage() {
  const id = Number(useParams().id);
  const client = useQueryClient();
  const query = useQuery({ queryKey: ['submission', id], queryFn: () => ok(api.GET('/submissions/{id}/', { params: { path: { id } } })) });
  const status = query.data?.grading?.status;
  const running = status !== undefined && !FINISHED.has(status);
  const live = useLiveEvents(query.data ? `submission=${id}` : null, ['grading', 'review'], () => void client.invalidateQueries({ queryKey: ['submission', id], exact: true }));
  const [file, setFile] = useState<string | null>(null);

  if (query.isPending) return <p className="loading">Loading the submission…</p>;
  if (query.isError) return <Failure error={query.error} />;
  const s = query.data;
  const grading = s.grading;
  const shown = file ?? s.files[0]?.path ?? null;
  const lineComments = s.comments;

  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/">Home</Link> › <Link to={`/e/${s.exercise}`}>Exercise</Link>
      </nav>
      <h1>
        Submission {s.number} <LiveBadge state={live} />
      </h1>
      <PageShown page="submission" />
      <p className="muted">
        Handed in <When at={s.created_at} />
      </p>
      <section aria-labelledby="grading" className="grading">
        <h2 id="grading">Grading</h2>
        {grading === null ? (
          <p>Not graded automatically.</p>
        ) : (
          <>
            <p className="grading-status" role="status" aria-live="polite">
              <span className={`status status-${grading.status}`}>{grading.status}</span>
              {grading.status === 'queued' && s.queue_position !== null && ` — number ${s.queue_position} in the queue`}
              {grading.outcome && ` — ${grading.outcome}`}
              {FINISHED.has(grading.status) && ` — score ${score(grading.score, grading.max_score)}`}
            </p>
            <ol className="timeline" aria-label="Grading steps">
              {grading.timeline.map((step, i) => (
                <li key={i}>
                  <When at={step.time} /> {step.action}
                  {step.payload && <span className="muted"> {step.payload}</span>}
                </li>
              ))}
            </ol>
            {grading.feedback && <Markdown source={grading.feedback} />}
            {grading.tests.length > 0 && (
              <ul className="tests" aria-label="Tests">
                {grading.tests.map((test, i) => (
                  <li key={i} className={`test test-${test.status ?? 'none'}`}>
                    <details open={test.status === 'failed'}>
                      <summary>
                        <span className="test-name">{test.name}</span> <span className={`status status-${test.status ?? 'none'}`}>{test.status ?? 'no status'}</span>{' '}
                        <span className="test-score">{score(test.score, test.max_score)}</span>
                      </summary>
                      <pre className="output">{test.output || '(no output)'}</pre>
                    </details>
                  </li>
                ))}
              </ul>
            )}
            {running && <p className="muted">This page updates by itself while the submission is graded.</p>}
          </>
        )}
      </section>
      {s.grade && (
        <section aria-labelledby="grade">
          <h2 id="grade">Grade and feedback</h2>
          <p>
            {s.grade.passing !== null && <Status status={s.grade.passing ? 'Done' : 'Redo'} />} {s.grade.points !== null && `${s.grade.points} points`}
            {s.grade.author && ` — ${s.grade.author.name}, `}
            <When at={s.grade.created_at} />
          </p>
          {s.grade.text && <Markdown source={s.grade.text} />}
        </section>
      )}
      <section aria-labelledby="files">
        <h2 id="files">Files</h2>
        {s.files.length === 0 ? (
          <p>No files.</p>
        ) : (
          <>
            <label>
              File{' '}
              <select value={shown ?? ''} onChange={(e) => setFile(e.target.value)}>
                {s.files.map((f) => (
                  <option key={f.path} value={f.path}>
                    {f.path}
                    {lineComments.some((c) => c.file === f.path) ? ' (comments)' : ''}
                  </option>
                ))}
              </select>
            </label>
            {shown && <SubmittedFile submission={id} path={shown} notes={lineComments.filter((c) => c.file === shown).map((c) => ({ line: c.line, author: c.author?.name ?? 'Staff', text: c.text }))} />}
          </>
        )}
      </section>
      <History exercise={s.exercise} current={id} />
    </>
  );
}

function SubmittedFile({ submission, path, notes }: { submission: number; path: string; notes: LineNote[] }) {
  const text = useSubmissionFile(submission, path);
  if (text.isPending) return <p className="loading">Loading {path}…</p>;
  if (text.isError) return <Failure error={text.error} />;
  return <CodeView filename={path} text={text.data ?? ''} notes={notes} label={`${path}, read only`} />;
}

/** Every submission of the exercise (this person's), and a diff of one file between any two. */
function History({ exercise, current }: { exercise: number; current: number }) {
  const list = useQuery({ queryKey: ['exercise', exercise, 'submissions'], queryFn: () => ok(api.GET('/exercises/{id}/submissions/', { params: { path: { id: exercise } } })) });
  const subs = useMemo(() => list.data ?? [], [list.data]);
  const currentIndex = subs.findIndex((s) => s.id === current);
  const [from, setFrom] = useState<number | null>(null);
  const [to, setTo] = useState<number | null>(null);
  const [path, setPath] = useState<string | null>(null);
  const a = from ?? subs[currentIndex - 1]?.id ?? null;
  const b = to ?? current;
  const paths = [...new Set(subs.filter((s) => s.id === a || s.id === b).flatMap((s) => s.files.map((f) => f.path)))].sort();
  // Unless one is chosen, the first file of the newer submission.
  const file = path !== null && paths.includes(path) ? path : (subs.find((s) => s.id === b)?.files[0]?.path ?? paths[0] ?? null);
  const before = useSubmissionFile(a, file);
  const after = useSubmissionFile(b, file);
  if (list.isPending) return null;
  if (list.isError) return <Failure error={list.error} />;
  return (
    <section aria-labelledby="history">
      <h2 id="history">History</h2>
      <ol className="history">
        {[...subs].reverse().map((s) => (
          <li key={s.id}>
            {s.id === current ? <strong>Submission {s.number} (this one)</strong> : <Link to={`/s/${s.id}`}>Submission {s.number}</Link>} <When at={s.created_at} />
          </li>
        ))}
      </ol>
      {subs.length > 1 && (
        <div className="compare">
          <h3>Compare</h3>
          <div className="row">
            <label>
              From{' '}
              <select value={a ?? ''} onChange={(e) => setFrom(Number(e.target.value))}>
                {subs.map((s) => (
                  <option key={s.id} value={s.id}>
                    Submission {s.number}
                  </option>
                ))}
              </select>
            </label>
            <label>
              To{' '}
              <select value={b} onChange={(e) => setTo(Number(e.target.value))}>
                {subs.map((s) => (
                  <option key={s.id} value={s.id}>
                    Submission {s.number}
                  </option>
                ))}
              </select>
            </label>
            <label>
              File{' '}
              <select value={file ?? ''} onChange={(e) => setPath(e.target.value)}>
                {paths.map((p) => (
                  <option key={p}>{p}</option>
                ))}
              </select>
            </label>
          </div>
          {file && before.isSuccess && after.isSuccess && <DiffView filename={file} before={before.data ?? ''} after={after.data ?? ''} />}
        </div>
      )}
    </section>
  );
}
