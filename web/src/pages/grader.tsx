import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { api, ApiError, ok, rawFetch } from '../api/client.ts';
import { Failure } from '../components/failure.tsx';
import { FilePicker } from '../components/file-picker.tsx';
import type { PickedFile } from '../components/file-picker.tsx';
import { Markdown } from '../components/markdown.tsx';
import { PageShown } from '../components/page-shown.tsx';
import { ExerciseStaffNav } from '../components/staff-nav.tsx';
import { bytes, score, When } from '../format.tsx';

type Grader = Awaited<ReturnType<typeof fetchGrader>>;
type Trial = Awaited<ReturnType<typeof runTrial>>;

const CONVENTIONS = ['native', 'autolab', 'inginious', 'hive'] as const;
type Convention = (typeof CONVENTIONS)[number];
const LIMITS = [
  ['wall_seconds', 'Wall time (s)'],
  ['cpu_seconds', 'CPU time (s)'],
  ['memory_mb', 'Memory (MB)'],
  ['processes', 'Processes'],
  ['output_bytes', 'Output (bytes)'],
  ['file_size_mb', 'File size (MB)'],
] as const;
type LimitKey = (typeof LIMITS)[number][0];
/** The server's defaults, shown in a new grader's form. */
const DEFAULT_LIMITS: Record<LimitKey, number> = { wall_seconds: 60, cpu_seconds: 30, memory_mb: 512, processes: 64, output_bytes: 1048576, file_size_mb: 16 };

function fetchGrader(exercise: number) {
  return ok(api.GET('/exercises/{id}/grader/', { params: { path: { id: exercise } } }));
}

function runTrial(exercise: number, submission: number | null) {
  return ok(api.POST('/exercises/{id}/grader/trial/', { params: { path: { id: exercise } }, body: { submission } }));
}

/**
 * The grader workbench of an exercise, for the staff who manage its course: the grader's settings
 * and harness (edit, upload), a trial run on the reference solution or any submission with its
 * output, score and time (nothing recorded, students see nothing), and a rerun of every latest
 * submission with its progress.
 */
export default function GraderPage() {
  const id = Number(useParams().id);
  const overview = useQuery({ queryKey: ['exercise', id], queryFn: () => ok(api.GET('/exercises/{id}/overview/', { params: { path: { id } } })) });
  const grader = useQuery({
    queryKey: ['grader', id],
    queryFn: async () => {
      try {
        return await fetchGrader(id);
      } catch (e) {
        // No grader yet: the form below creates one.
        if (e instanceof ApiError && e.status === 404) return null;
        throw e;
      }
    },
  });
  if (overview.isPending || grader.isPending) return <p className="loading">Loading the grader…</p>;
  if (overview.isError) return <Failure error={overview.error} />;
  if (grader.isError) return <Failure error={grader.error} />;
  const exercise = overview.data;
  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/">Home</Link> › <Link to={`/c/${exercise.course.id}`}>{exercise.course.name}</Link> › <Link to={`/e/${id}`}>{exercise.name}</Link>
      </nav>
      <h1>Grader: {exercise.name}</h1>
      <PageShown page="grader" />
      <ExerciseStaffNav exerciseId={id} />
      <GraderSettings key={grader.data?.updated_at ?? 'none'} exercise={id} grader={grader.data} />
      {grader.data && (
        <>
          <Harness exercise={id} grader={grader.data} maxBytes={exercise.limits.max_upload_bytes} />
          <TrialRun exercise={id} />
          <Rerun exercise={id} />
        </>
      )}
    </>
  );
}

function GraderSettings({ exercise, grader }: { exercise: number; grader: Grader | null }) {
  const client = useQueryClient();
  const [convention, setConvention] = useState<Convention>((grader?.convention as Convention | undefined) ?? 'native');
  const [command, setCommand] = useState((grader?.command ?? ['python3', 'run.py']).join('\n'));
  const [limits, setLimits] = useState<Record<LimitKey, number>>(grader?.limits ?? DEFAULT_LIMITS);
  const [checkSolution, setCheckSolution] = useState(grader?.check_solution ?? false);
  const save = useMutation({
    mutationFn: () =>
      ok(
        api.PUT('/exercises/{id}/grader/', {
          params: { path: { id: exercise } },
          body: { convention, command: command.split('\n').filter((line) => line.trim() !== ''), limits, check_solution: checkSolution },
        }),
      ),
    onSuccess: (saved) => client.setQueryData(['grader', exercise], saved),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <section aria-labelledby="settings">
      <h2 id="settings">Settings</h2>
      {!grader && <p>This exercise has no grader yet: students’ submissions are not checked automatically. Save these settings to create one.</p>}
      <form onSubmit={submit}>
        <div className="row">
          <label>
            Convention
            <select value={convention} onChange={(e) => setConvention(e.target.value as Convention)}>
              {CONVENTIONS.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
          </label>
          <label>
            Command (one argument per line)
            <textarea rows={3} value={command} onChange={(e) => setCommand(e.target.value)} />
          </label>
        </div>
        <fieldset>
          <legend>Limits</legend>
          <div className="row">
            {LIMITS.map(([key, label]) => (
              <label key={key}>
                {label}
                <input type="number" min={1} value={limits[key]} onChange={(e) => setLimits({ ...limits, [key]: Number(e.target.value) })} />
              </label>
            ))}
          </div>
        </fieldset>
        <label className="check">
          <input type="checkbox" checked={checkSolution} onChange={(e) => setCheckSolution(e.target.checked)} /> Run the reference solution before each submission (a grader failing it is a staff error)
        </label>
        <p>
          <button type="submit" className="primary" disabled={save.isPending}>
            {grader ? 'Save the settings' : 'Create the grader'}
          </button>
          {save.isSuccess && <span role="status"> Saved.</span>}
        </p>
        {save.isError && <Failure error={save.error} />}
      </form>
      {grader && (
        <p className="muted">
          Last changed <When at={grader.updated_at} />
        </p>
      )}
    </section>
  );
}

const CodeEditor = lazy(async () => ({ default: (await import('../components/code.tsx')).CodeEditor }));

const harnessFileUrl = (exercise: number, path: string) => `/exercises/${exercise}/grader/files/${path.split('/').map(encodeURIComponent).join('/')}`;

/** The harness listed; replaced by uploading files or a folder, or one text file edited here (the others sent back as they are). */
function Harness({ exercise, grader, maxBytes }: { exercise: number; grader: Grader; maxBytes: number }) {
  const client = useQueryClient();
  const [picked, setPicked] = useState<PickedFile[]>([]);
  const [editing, setEditing] = useState<{ path: string; text: string } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const replace = useMutation({
    mutationFn: async (files: { path: string; blob: Blob }[]) => {
      const body = new FormData();
      for (const f of files) body.append('file', f.blob, f.path);
      await rawFetch(`/exercises/${exercise}/grader/files/`, { method: 'PUT', body });
    },
    onSuccess: async () => {
      setPicked([]);
      setEditing(null);
      await client.invalidateQueries({ queryKey: ['grader', exercise] });
    },
  });
  const open = async (path: string) => {
    setProblem(null);
    try {
      const bytes = await (await rawFetch(harnessFileUrl(exercise, path))).arrayBuffer();
      setEditing({ path, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) });
    } catch (e) {
      setProblem(e instanceof TypeError ? `${path} is not text, so it cannot be edited here.` : e instanceof Error ? e.message : String(e));
    }
  };
  const saveEdited = async () => {
    if (!editing) return;
    setProblem(null);
    try {
      const others = await Promise.all(
        grader.harness.filter((f) => f.path !== editing.path).map(async (f) => ({ path: f.path, blob: await (await rawFetch(harnessFileUrl(exercise, f.path))).blob() })),
      );
      replace.mutate([...others, { path: editing.path, blob: new Blob([editing.text], { type: 'text/plain' }) }]);
    } catch (e) {
      setProblem(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <section aria-labelledby="harness">
      <h2 id="harness">Harness files</h2>
      {grader.harness.length === 0 ? (
        <p>No harness files yet.</p>
      ) : (
        <ul aria-label="Harness files">
          {grader.harness.map((f) => (
            <li key={f.path}>
              <code>{f.path}</code> <span className="muted">{bytes(f.size)}</span>{' '}
              <button type="button" onClick={() => void open(f.path)} aria-label={`Edit ${f.path}`}>
                Edit
              </button>
            </li>
          ))}
        </ul>
      )}
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
      {editing && (
        <div className="editor">
          <Suspense fallback={<p className="loading">Loading the editor…</p>}>
            <CodeEditor filename={editing.path} text={editing.text} onChange={(text) => setEditing({ ...editing, text })} label={`Edit ${editing.path}`} />
          </Suspense>
          <p>
            <button type="button" className="primary" disabled={replace.isPending} onClick={() => void saveEdited()}>
              Save {editing.path}
            </button>{' '}
            <button type="button" onClick={() => setEditing(null)}>
              Close without saving
            </button>
          </p>
        </div>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          replace.mutate(picked.map((p) => ({ path: p.path, blob: p.file })));
        }}
      >
        <FilePicker files={picked} onChange={setPicked} maxBytes={maxBytes} />
        <p>
          <button type="submit" disabled={picked.length === 0 || replace.isPending}>
            Replace the harness with these files
          </button>
        </p>
      </form>
      {replace.isError && <Failure error={replace.error} />}
    </section>
  );
}

function TrialRun({ exercise }: { exercise: number }) {
  const submissions = useQuery({ queryKey: ['exercise', exercise, 'submissions'], queryFn: () => ok(api.GET('/exercises/{id}/submissions/', { params: { path: { id: exercise } } })) });
  const [on, setOn] = useState('solution');
  const trial = useMutation({ mutationFn: () => runTrial(exercise, on === 'solution' ? null : Number(on)) });
  return (
    <section aria-labelledby="trial">
      <h2 id="trial">Try the grader</h2>
      <p className="muted">A trial run is not recorded: no grade, no feedback, nothing students see.</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          trial.mutate();
        }}
      >
        <div className="row">
          <label>
            Run it on
            <select value={on} onChange={(e) => setOn(e.target.value)}>
              <option value="solution">The reference solution</option>
              {(submissions.data ?? []).map((s) => (
                <option key={s.id} value={String(s.id)}>
                  {`Submission ${s.id}: user ${s.user ?? '—'}'s number ${s.number}, ${new Date(s.created_at).toLocaleString()}`}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" className="primary" disabled={trial.isPending}>
            {trial.isPending ? 'Running…' : 'Run the grader'}
          </button>
        </div>
      </form>
      {trial.isError && <Failure error={trial.error} />}
      {trial.data && <TrialResult trial={trial.data} />}
    </section>
  );
}

function TrialResult({ trial }: { trial: Trial }) {
  return (
    <div className="trial" aria-label="Trial result">
      <dl className="facts">
        <dt>Outcome</dt>
        <dd>
          <span className={`status status-${trial.outcome === 'success' ? 'passed' : 'failed'}`}>{trial.outcome}</span>
          {trial.staff_error && ' — the grader failed as a harness (a staff error)'}
        </dd>
        <dt>Score</dt>
        <dd className="trial-score">{score(trial.score, trial.max_score)}</dd>
        <dt>Time</dt>
        <dd className="trial-time">{(trial.ms / 1000).toFixed(2)} s</dd>
      </dl>
      {trial.warnings.length > 0 && (
        <ul className="error" aria-label="Warnings">
          {trial.warnings.map((w, i) => (
            <li key={i}>{w}</li>
          ))}
        </ul>
      )}
      {trial.feedback && <Markdown source={trial.feedback} />}
      {trial.tests.length > 0 && (
        <ul className="tests" aria-label="Tests">
          {trial.tests.map((test, i) => (
            <li key={i} className={`test test-${test.status ?? 'none'}`}>
              <details open>
                <summary>
                  <span className="test-name">{test.name}</span> <span className={`status status-${test.status ?? 'none'}`}>{test.status ?? 'no status'}</span>{' '}
                  <span className="test-score">{score(test.score, test.max_score)}</span>
                  {test.visibility !== 'visible' && <span className="muted"> ({test.visibility})</span>}
                </summary>
                <pre className="output">{test.output || '(no output)'}</pre>
              </details>
            </li>
          ))}
        </ul>
      )}
      {Object.keys(trial.problems).length > 0 && (
        <table>
          <caption>Problems</caption>
          <thead>
            <tr>
              <th>Problem</th>
              <th>Result</th>
              <th>Score</th>
              <th>Feedback</th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(trial.problems).map(([name, p]) => (
              <tr key={name}>
                <td>{name}</td>
                <td>{p.result ?? '—'}</td>
                <td>{p.score ?? '—'}</td>
                <td>{p.feedback ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Log (staff only)</h3>
      <pre className="output trial-log">{trial.log || '(empty)'}</pre>
    </div>
  );
}

function Rerun({ exercise }: { exercise: number }) {
  const [params, setParams] = useSearchParams();
  const since = params.get('rerun');
  const start = useMutation({
    mutationFn: () => ok(api.POST('/exercises/{id}/rerun/', { params: { path: { id: exercise } } })),
    onSuccess: (answer) => setParams({ rerun: answer.since }, { replace: true }),
  });
  const progress = useQuery({
    queryKey: ['exercise', exercise, 'rerun', since],
    enabled: since !== null,
    queryFn: () => ok(api.GET('/exercises/{id}/rerun/', { params: { path: { id: exercise }, query: { since: since! } } })),
    // Polled until every job of the rerun has ended.
    refetchInterval: (query) => {
      const p = query.state.data;
      return p && p.done + p.failed >= p.total ? false : 1000;
    },
  });
  const p = progress.data;
  const ended = p ? p.done + p.failed : 0;
  return (
    <section aria-labelledby="rerun">
      <h2 id="rerun">Rerun every submission</h2>
      <p className="muted">Grades the latest submission of every student again with the grader as it is now, behind fresh submissions.</p>
      <p>
        <button type="button" disabled={start.isPending} onClick={() => start.mutate()}>
          Rerun all submissions
        </button>
      </p>
      {start.isError && <Failure error={start.error} />}
      {start.data && start.data.queued === 0 && <p role="status">Nothing to rerun: no submission, or every one is already waiting to be graded.</p>}
      {progress.isError && <Failure error={progress.error} />}
      {p && p.total > 0 && (
        <div className="rerun-progress">
          <label>
            Rerun progress
            <progress max={p.total} value={ended} />
          </label>
          <p role="status" aria-live="polite">
            {ended} of {p.total} graded
            {p.failed > 0 && `, ${p.failed} failed`}
            {p.running > 0 && `, ${p.running} running`}
            {p.queued + p.waiting > 0 && `, ${p.queued + p.waiting} waiting`}
          </p>
        </div>
      )}
    </section>
  );
}
