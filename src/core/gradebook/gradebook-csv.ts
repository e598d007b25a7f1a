import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { Gradebook, GradebookCell } from './gradebook.service.ts';

type Cell = string | number;

const PERSON = ['username', 'email', 'first_name', 'last_name', 'section'] as const;

/** Both exports start each row with the student. */
const person = (s: Gradebook['students'][number]): Cell[] => [s.username, s.email, s.first_name, s.last_name, s.section];
const blankIfNull = (n: number | null): Cell => (n === null ? '' : n);
const extensionText = (c: GradebookCell): Cell => (c.extension === null ? '' : c.extension.infinite ? 'infinite' : c.extension.days);

/**
 * Text a spreadsheet would run as a formula (a name starting with `=`, `+`, `-` or `@`) is
 * written with a leading apostrophe (OWASP's CSV injection advice); numbers stay numbers.
 */
const inert = (text: string): string => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);

/** Rows written one at a time through csv-stringify (RFC 4180 quoting, CRLF), so an answer streams. */
function csvStream(header: string[], rows: () => Iterable<Cell[]>): Readable {
  function* all(): Generator<Cell[]> {
    yield header;
    yield* rows();
  }
  return Readable.from(all(), { objectMode: true }).pipe(stringify({ record_delimiter: 'windows', cast: { string: inert } }));
}

/**
 * The course's gradebook as CSV: one row per student, the student's columns, then one column
 * per exercise (its slug: the score shown to the student, empty when none), then the total and
 * the grace days left.
 */
export function gradebookCsv(gradebook: Gradebook): Readable {
  const header = [...PERSON, ...gradebook.exercises.map((e) => e.slug), 'total', 'grace_days_left'];
  return csvStream(header, function* () {
    for (const s of gradebook.students) yield [...person(s), ...s.cells.map((c) => blankIfNull(c.score)), s.total, blankIfNull(s.grace_days_left)];
  });
}

/** One exercise of the gradebook as CSV: one row per student with status, score, submissions, lateness and extension. */
export function exerciseCsv(gradebook: Gradebook, index: number): Readable {
  const max = gradebook.exercises[index]!.max_score;
  const header = [...PERSON, 'status', 'score', 'max_score', 'submissions', 'submitted_at', 'days_late', 'grace_days', 'penalty_days', 'extension_days'];
  return csvStream(header, function* () {
    for (const s of gradebook.students) {
      const c = s.cells[index]!;
      yield [...person(s), c.status ?? '', blankIfNull(c.score), blankIfNull(max), c.submissions, c.submitted_at ?? '', c.days_late, c.grace_days, c.penalty_days, extensionText(c)];
    }
  });
}

/** The export's file name: the course's slug, and the exercise's when there is one. */
export function csvFileName(gradebook: Gradebook, index?: number): string {
  const safe = (s: string) => s.replace(/[^\w.-]+/g, '_');
  return index === undefined ? `${safe(gradebook.course.slug)}-gradebook.csv` : `${safe(gradebook.course.slug)}-${safe(gradebook.exercises[index]!.slug)}.csv`;
}
