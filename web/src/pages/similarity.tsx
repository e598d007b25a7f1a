import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useMemo, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { api, ApiError, ok } from '../api/client.ts';
import type { paths } from '../api/schema.d.ts';
import type { LineMark } from '../components/code.tsx';
import { Failure } from '../components/failure.tsx';
import { PageShown } from '../components/page-shown.tsx';
import { ExerciseStaffNav } from '../components/staff-nav.tsx';
import { When } from '../format.tsx';

// CodeMirror loads only when a pair is opened.
const CodeView = lazy(async () => ({ default: (await import('../components/code.tsx')).CodeView }));

type Json<P extends keyof paths> = paths[P]['get'] extends { responses: { 200: { content: { 'application/json': infer T } } } } ? T : never;
type Report = NonNullable<Json<'/exercises/{id}/similarity/'>['report']>;
type Pair = Json<'/similarity/{id}/pairs/'>['pairs'][number];
type Owner = Pair['left'];
type PairDetail = Json<'/similarity/{id}/pairs/{rank}/'>;
type Side = PairDetail['left'];

const PHASES: Record<Report['phase'], string> = {
  reading: 'Reading the submissions',
  fingerprinting: 'Fingerprinting the submissions',
  comparing: 'Comparing every two submissions',
  saving: 'Saving the pairs',
  done: 'Done',
};

const percent = (x: number) => `${Math.round(x * 100)}%`;
const who = (o: Owner) => [o.user.first_name, o.user.last_name].filter(Boolean).join(' ') || o.user.username;

/** Where a fragment lies in the side's own files: `path:first–last` (lines from 1). */
function where(side: Side, span: number[]): string {
  const [start, , end] = span as [number, number, number, number];
  const file = [...side.files].reverse().find((f) => f.first_line <= start + 1);
  const offset = file ? file.first_line - 1 : 0;
  return `${file ? `${file.path}:` : 'lines '}${start + 1 - offset}–${end + 1 - offset}`;
}

/**
 * An exercise's similarity report (course staff): start one (instructors), watch its progress,
 * the pairs of students ranked by similarity, and a pair side by side with the fragments they
 * share marked. The analysis is Dolos's, run by the server in the background.
 */
export default function SimilarityPage() {
  const id = Number(useParams().id);
  const client = useQueryClient();
  const [search, setSearch] = useSearchParams();
  const rank = search.get('pair') ? Number(search.get('pair')) : null;
  const latest = useQuery({
    queryKey: ['similarity', id],
    queryFn: () => ok(api.GET('/exercises/{id}/similarity/', { params: { path: { id } } })),
    refetchInterval: (query) => (query.state.data?.report?.status === 'running' ? 700 : false),
  });
  const report = latest.data?.report ?? null;
  const done = report?.status === 'done';
  const pairs = useQuery({
    queryKey: ['similarity', 'pairs', report?.id],
    queryFn: () => ok(api.GET('/similarity/{id}/pairs/', { params: { path: { id: report!.id }, query: { limit: 100 } } })),
    enabled: done,
  });
  const start = useMutation({
    mutationFn: () => ok(api.POST('/exercises/{id}/similarity/', { params: { path: { id } } })),
    onSuccess: async () => {
      setSearch({});
      await client.invalidateQueries({ queryKey: ['similarity', id] });
    },
  });

  if (latest.isPending) return <p className="loading">Loading the similarity report…</p>;
  if (latest.isError) return <Failure error={latest.error} />;
  const running = report?.status === 'running';
  const startError = start.error instanceof ApiError && start.error.status === 403 ? 'Only the course’s instructors start a similarity report.' : start.error?.message;

  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/">Home</Link> › <Link to={`/e/${id}`}>Exercise</Link> › Similarity
      </nav>
      <h1>Similarity</h1>
      <ExerciseStaffNav exerciseId={id} />
      <PageShown page="similarity" />
      <p className="muted">
        The latest submission of every student, compared with every other by <a href="https://dolos.ugent.be/">Dolos</a> (on the structure of the code, not its names or layout). Code of the handout and the
        reference solution matches nobody.
      </p>
      <div className="row">
        <button type="button" className="primary" disabled={running || start.isPending} onClick={() => start.mutate()}>
          {report ? 'Compute a new report' : 'Compute a report'}
        </button>
      </div>
      {startError && (
        <p className="error" role="alert">
          {startError}
        </p>
      )}
      {!report && <p>No report yet.</p>}
      {report && <ReportState report={report} />}
      {done && pairs.isError && <Failure error={pairs.error} />}
      {done && pairs.data && (
        <Pairs
          pairs={pairs.data.pairs}
          selected={rank}
          onOpen={(r) => setSearch({ pair: String(r) })}
        />
      )}
      {done && rank !== null && <PairView reportId={report.id} rank={rank} />}
    </>
  );
}

function ReportState({ report }: { report: Report }) {
  if (report.status === 'running') {
    return (
      <section aria-label="Progress">
        <p id="similarity-phase">
          {PHASES[report.phase]}
          {report.total > 0 && `: ${report.done} of ${report.total}`}
        </p>
        <progress aria-labelledby="similarity-phase" value={report.total > 0 ? report.done : undefined} max={report.total > 0 ? report.total : undefined} />
      </section>
    );
  }
  if (report.status === 'failed') {
    return (
      <p className="error" role="alert">
        The report failed: {report.error}
      </p>
    );
  }
  return (
    <p>
      {report.submissions} submissions in {report.language} compared; the {report.pairs} most similar pairs below. Computed <When at={report.finished_at ?? report.created_at} />.
    </p>
  );
}

function Pairs({ pairs, selected, onOpen }: { pairs: Pair[]; selected: number | null; onOpen: (rank: number) => void }) {
  if (pairs.length === 0) return <p>No two submissions share code beyond the handout and the reference solution.</p>;
  return (
    <div className="table-wrap">
      <table aria-label="Pairs, the most similar first">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Student</th>
            <th scope="col">Student</th>
            <th scope="col">Similarity</th>
            <th scope="col">Longest fragment</th>
            <th scope="col">
              <span className="visually-hidden">Open</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {pairs.map((p) => (
            <tr key={p.rank} aria-current={p.rank === selected ? 'true' : undefined}>
              <td>{p.rank}</td>
              <td>{who(p.left)}</td>
              <td>{who(p.right)}</td>
              <td>
                <meter min={0} max={1} value={p.similarity} aria-hidden="true" /> {percent(p.similarity)}
              </td>
              <td>{p.longest}</td>
              <td>
                <button type="button" onClick={() => onOpen(p.rank)}>
                  Compare<span className="visually-hidden"> pair {p.rank}</span>
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function PairView({ reportId, rank }: { reportId: number; rank: number }) {
  const pair = useQuery({
    queryKey: ['similarity', 'pair', reportId, rank],
    queryFn: () => ok(api.GET('/similarity/{id}/pairs/{rank}/', { params: { path: { id: reportId, rank } } })),
    staleTime: Infinity,
  });
  const [focus, setFocus] = useState(0);
  const marks = useMemo(() => {
    const of = (side: 'left' | 'right'): LineMark[] =>
      (pair.data?.fragments ?? []).map((f, i) => ({ from: f[side][0]! + 1, to: f[side][2]! + 1, className: i === focus ? 'shared shared-focus' : 'shared' }));
    return { left: of('left'), right: of('right') };
  }, [pair.data, focus]);
  if (pair.isPending) return <p className="loading">Loading the pair…</p>;
  if (pair.isError) return <Failure error={pair.error} />;
  const { left, right, fragments } = pair.data;
  const fragment = fragments[focus];
  return (
    <section aria-label={`Pair ${rank}`}>
      <h2>
        {who(left)} and {who(right)}: {percent(pair.data.similarity)} similar
      </h2>
      {fragments.length > 0 && (
        <label>
          Shared fragment
          <select value={focus} onChange={(e) => setFocus(Number(e.target.value))}>
            {fragments.map((f, i) => (
              <option key={i} value={i}>
                {i + 1}. {where(left, f.left)} ↔ {where(right, f.right)}
              </option>
            ))}
          </select>
        </label>
      )}
      <div className="side-by-side">
        {([
          ['left', left],
          ['right', right],
        ] as const).map(([key, side]) => (
          <figure key={key}>
            <figcaption>
              {who(side)} (<Link to={`/s/${side.submission}`}>submission</Link>): {side.files.map((f) => f.path).join(', ')}
            </figcaption>
            <Suspense fallback={<p className="loading">Loading the code…</p>}>
              <CodeView filename={side.files[0]?.path ?? 'code.txt'} text={side.text} label={`Code of ${who(side)}`} marks={marks[key]} scrollTo={fragment ? fragment[key][0]! + 1 : undefined} />
            </Suspense>
          </figure>
        ))}
      </div>
    </section>
  );
}
