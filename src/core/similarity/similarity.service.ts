import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import type { Clock, Timestamp } from '../clock.ts';
import { timestampToDate } from '../clock.ts';
import { isRowId } from '../courses/exercises.service.ts';
import type { Exercise, ExercisesService } from '../courses/exercises.service.ts';
import { roleIn } from '../courses/visibility.ts';
import { AssayError, fromDatabaseError } from '../errors.ts';
import type { FilesService } from '../files/files.service.ts';
import { asText } from '../review/file-text.ts';
import type { AnalysisPhase, DocumentFile, Fragment, SourceFile } from './analysis.ts';
import { analyse, joinFiles, languages, pickLanguage } from './analysis.ts';
import { similarityPolicy } from './policy.ts';
import type { LatestSubmission, ReportRow } from './similarity.repo.ts';
import { similarityRepo } from './similarity.repo.ts';

/** Reports one server process computes at once; more are refused (429) until one ends. */
export const REPORT_CONCURRENCY = 2;
/** The most similar pairs a report keeps, with their fragments. */
export const KEPT_PAIRS = 500;
/** A running report untouched this long lost the server computing it: it counts as failed. */
export const STALE_MS = 120_000;
/** Files larger than this are not compared (generated or data files, not code a student wrote). */
export const MAX_FILE_BYTES = 512 * 1024;
/** Progress is written at most this often (and at the end of each phase). */
const PROGRESS_MS = 250;

export type ReportStatus = 'running' | 'done' | 'failed';
export type ReportPhase = 'reading' | AnalysisPhase | 'saving' | 'done';

/** A similarity report's state: its progress while it runs, its numbers once done. */
export interface SimilarityReport {
  id: number;
  exercise_id: number;
  status: ReportStatus;
  phase: ReportPhase;
  done: number;
  total: number;
  submissions: number;
  /** Pairs kept (the most similar, at most KEPT_PAIRS). */
  pairs: number;
  language: string | null;
  error: string | null;
  created_at: Timestamp;
  finished_at: Timestamp | null;
}

export interface PairOwner {
  submission: number;
  user: { id: number; username: string; first_name: string; last_name: string };
}

export interface RankedPair {
  rank: number;
  similarity: number;
  longest: number;
  overlap: number;
  left: PairOwner;
  right: PairOwner;
}

export interface PairSide extends PairOwner {
  /** The submission's files of the report's language, joined in path order (what was compared). */
  text: string;
  files: DocumentFile[];
}

export interface PairDetail extends Omit<RankedPair, 'left' | 'right'> {
  left: PairSide;
  right: PairSide;
  /** Matching regions of the two texts (rows and columns from 0), in the left text's order. */
  fragments: Fragment[];
}

const owner = (s: LatestSubmission): PairOwner => ({
  submission: s.id,
  user: { id: s.user_id, username: s.username, first_name: s.first_name, last_name: s.last_name },
});

/**
 * Similarity reports of an exercise (issue 20): the latest submission of every assignment compared
 * with every other by Dolos (analysis.ts), the handout and reference solution left out, the pairs
 * ranked by similarity with their matching fragments. A report is computed in the background of
 * the server that was asked, in steps that yield to its other work; its progress is in its row,
 * so every server answers how far it is. Checkers read reports; instructors start them (policy.ts).
 */
export class SimilarityService {
  private running = 0;
  private stopping = false;
  private readonly tasks = new Set<Promise<void>>();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly files: FilesService,
    private readonly exercises: ExercisesService,
  ) {}

  /** Not found when the actor cannot see the exercise; forbidden when they may not read (or start) its reports. */
  private async access(actor: Actor, exerciseId: number, need: 'read' | 'start'): Promise<Exercise> {
    const exercise = await this.exercises.get(actor, exerciseId);
    const role = await roleIn(this.db, actor, exercise.course_id);
    const allowed = need === 'start' ? similarityPolicy.canStart(actor, role) : similarityPolicy.canRead(actor, role);
    if (!allowed) throw AssayError.forbidden();
    return exercise;
  }

  /** The report, when the actor may read its exercise's reports. */
  private async readable(actor: Actor, reportId: number): Promise<ReportRow> {
    const row = isRowId(reportId) ? await similarityRepo.byId(this.db, reportId) : undefined;
    if (!row) throw AssayError.notFound();
    await this.access(actor, row.exercise_id, 'read');
    return row;
  }

  private stale(row: ReportRow): boolean {
    return row.status === 'running' && this.clock.nowMs() - timestampToDate(row.updated_at).getTime() > STALE_MS;
  }

  private async view(row: ReportRow): Promise<SimilarityReport> {
    const interrupted = this.stale(row);
    return {
      id: row.id,
      exercise_id: row.exercise_id,
      status: interrupted ? 'failed' : (row.status as ReportStatus),
      phase: row.phase as ReportPhase,
      done: row.done,
      total: row.total,
      submissions: row.submissions,
      pairs: row.status === 'done' ? await similarityRepo.countPairs(this.db, row.id) : 0,
      language: row.language,
      error: interrupted ? 'The server computing this report stopped before it finished: start a new one.' : row.error,
      created_at: row.created_at,
      finished_at: row.finished_at,
    };
  }

  /**
   * Starts a report on the exercise, computed in the background; answers it at once (running).
   * A conflict (`report_running`) while another report of the exercise runs, rate limited when this server computes as many as it allows.
   */
  async start(actor: Actor, exerciseId: number): Promise<SimilarityReport> {
    const exercise = await this.access(actor, exerciseId, 'start');
    const message = 'A similarity report of this exercise is being computed: wait for it to finish.';
    const running = new AssayError('conflict', message, { fields: [{ field: null, code: 'report_running', message }] });
    for (const row of await similarityRepo.running(this.db, exercise.id)) {
      if (!this.stale(row)) throw running;
      await similarityRepo.updateReport(this.db, row.id, { status: 'failed', error: 'The server computing this report stopped before it finished.', finished_at: this.clock.now() });
    }
    if (this.stopping) throw new AssayError('unavailable', 'This server is stopping: try again in a moment.');
    if (this.running >= REPORT_CONCURRENCY) {
      throw new AssayError('rate_limited', `${REPORT_CONCURRENCY} similarity reports are being computed already: try again in a moment.`, { retryAfterSeconds: 10 });
    }
    const now = this.clock.now();
    // The index on running reports settles two starts at once: the second is refused.
    const id = await similarityRepo
      .insertReport(this.db, { exercise_id: exercise.id, started_by: actor.id, status: 'running', phase: 'reading', created_at: now, updated_at: now })
      .catch((e: unknown) => {
        throw fromDatabaseError(e)?.kind === 'conflict' ? running : e;
      });
    this.running += 1;
    const task = this.compute(id, exercise.id).finally(() => {
      this.running -= 1;
      this.tasks.delete(task);
    });
    this.tasks.add(task);
    return this.view((await similarityRepo.byId(this.db, id))!);
  }

  /** Resolves once every report this process computes has ended (tests). */
  async idle(): Promise<void> {
    while (this.tasks.size > 0) await Promise.all([...this.tasks]);
  }

  /** Shutdown: the reports being computed stop at their next step (recorded as failed), and no new one starts. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.idle();
  }

  /** The exercise's newest report, or null when it has none. */
  async latest(actor: Actor, exerciseId: number): Promise<SimilarityReport | null> {
    const exercise = await this.access(actor, exerciseId, 'read');
    const row = await similarityRepo.latest(this.db, exercise.id);
    return row ? this.view(row) : null;
  }

  async get(actor: Actor, reportId: number): Promise<SimilarityReport> {
    return this.view(await this.readable(actor, reportId));
  }

  /** A page of the report's pairs, the most similar first, with whose submissions they are. */
  async pairs(actor: Actor, reportId: number, page: { limit: number; offset: number }): Promise<{ report: SimilarityReport; pairs: RankedPair[] }> {
    const row = await this.readable(actor, reportId);
    const rows = await similarityRepo.pairs(this.db, row.id, page.limit, page.offset);
    const owners = new Map((await similarityRepo.submissionOwners(this.db, [...new Set(rows.flatMap((p) => [p.left_submission_id, p.right_submission_id]))])).map((s) => [s.id, s]));
    const pairs = rows.flatMap((p) => {
      const left = owners.get(p.left_submission_id);
      const right = owners.get(p.right_submission_id);
      return left && right ? [{ rank: p.rank, similarity: p.similarity, longest: p.longest, overlap: p.overlap, left: owner(left), right: owner(right) }] : [];
    });
    return { report: await this.view(row), pairs };
  }

  /** One pair side by side: both texts as they were compared, and the fragments they share. */
  async pair(actor: Actor, reportId: number, rank: number): Promise<PairDetail> {
    const row = await this.readable(actor, reportId);
    const pair = isRowId(rank) ? await similarityRepo.pairByRank(this.db, row.id, rank) : undefined;
    if (!pair) throw AssayError.notFound();
    const owners = new Map((await similarityRepo.submissionOwners(this.db, [pair.left_submission_id, pair.right_submission_id])).map((s) => [s.id, s]));
    const extensions = (await languages()).find((l) => l.name === row.language)?.extensions ?? [];
    const side = async (submissionId: number): Promise<PairSide> => {
      const s = owners.get(submissionId);
      if (!s) throw AssayError.notFound();
      return { ...owner(s), ...joinFiles(await this.readTree(s.tree_id), extensions) };
    };
    const [left, right] = await Promise.all([side(pair.left_submission_id), side(pair.right_submission_id)]);
    return { rank: pair.rank, similarity: pair.similarity, longest: pair.longest, overlap: pair.overlap, left, right, fragments: JSON.parse(pair.fragments) as Fragment[] };
  }

  /** The tree's text files (not larger than MAX_FILE_BYTES). */
  private async readTree(treeId: number | null): Promise<SourceFile[]> {
    if (treeId === null) return [];
    const entries = (await this.files.treeEntries(treeId)).filter((e) => e.size <= MAX_FILE_BYTES);
    const texts = await Promise.all(entries.map(async (e) => ({ path: e.path, text: asText(await this.files.read(e.blob, e.size)) })));
    return texts.flatMap((f) => (f.text === null ? [] : [{ path: f.path, text: f.text }]));
  }

  private async compute(id: number, exerciseId: number): Promise<void> {
    let last = 0;
    const progress = async (phase: ReportPhase, done: number, total: number) => {
      if (this.stopping) throw new Error('the server stopped before the report was done; start a new one');
      const now = this.clock.nowMs();
      if (done < total && now - last < PROGRESS_MS) return;
      last = now;
      await similarityRepo.updateReport(this.db, id, { phase, done, total, updated_at: this.clock.now() });
    };
    try {
      const submissions = await similarityRepo.latestSubmissions(this.db, exerciseId);
      const trees: SourceFile[][] = [];
      for (const [i, s] of submissions.entries()) {
        trees.push(await this.readTree(s.tree_id));
        await progress('reading', i + 1, submissions.length);
      }
      const exercise = await similarityRepo.templateTrees(this.db, exerciseId);
      const template = [...(await this.readTree(exercise?.handout_tree_id ?? null)), ...(await this.readTree(exercise?.solution_tree_id ?? null))];
      const language = await pickLanguage(trees.flat().map((f) => f.path));
      if (!language) {
        const why = submissions.length === 0 ? 'The exercise has no submissions yet.' : 'No submitted file is in a language the similarity library parses.';
        await similarityRepo.updateReport(this.db, id, { status: 'failed', phase: 'done', error: why, updated_at: this.clock.now(), finished_at: this.clock.now() });
        return;
      }
      const compared = submissions.map((s, i) => ({ submission: s, doc: joinFiles(trees[i]!, language.extensions) })).filter((c) => c.doc.text.trim() !== '');
      await similarityRepo.updateReport(this.db, id, { language: language.name, submissions: compared.length, updated_at: this.clock.now() });
      const { pairs } =
        compared.length < 2
          ? { pairs: [] }
          : await analyse(
              language.name,
              compared.map((c) => c.doc.text),
              joinFiles(template, language.extensions).text,
              { keep: KEPT_PAIRS, progress },
            );
      await progress('saving', 0, 1);
      await this.db.transaction().execute(async (trx) => {
        await similarityRepo.insertPairs(
          trx,
          pairs.map((p, n) => ({
            report_id: id,
            rank: n + 1,
            left_submission_id: compared[p.left]!.submission.id,
            right_submission_id: compared[p.right]!.submission.id,
            similarity: p.similarity,
            longest: p.longest,
            overlap: p.overlap,
            fragments: JSON.stringify(p.fragments),
          })),
        );
        const now = this.clock.now();
        await similarityRepo.updateReport(trx, id, { status: 'done', phase: 'done', done: 1, total: 1, updated_at: now, finished_at: now });
        await similarityRepo.deleteOlder(trx, exerciseId, id);
      });
    } catch (e) {
      const why = `The similarity analysis failed: ${e instanceof Error ? e.message : String(e)}`;
      await similarityRepo.updateReport(this.db, id, { status: 'failed', error: why, updated_at: this.clock.now(), finished_at: this.clock.now() }).catch(() => undefined);
    }
  }
}
