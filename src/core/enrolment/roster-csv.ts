import { CsvError, parse } from 'csv-parse/sync';

/**
 * Reads a roster file: CSV (RFC 4180 quoting, UTF-8, an optional BOM), a header row naming the
 * columns, then one member per row. Columns: `username` (required), `email`, `first_name`,
 * `last_name`, `role` (`student`, `checker` or `instructor`; empty means student). Header names
 * are matched without regard to case, spaces or dashes (`First Name` is `first_name`). Blank lines
 * are skipped. Nothing here knows the database: the service checks the rows against it.
 */

export const ROSTER_COLUMNS = ['username', 'email', 'first_name', 'last_name', 'role'] as const;
export type RosterColumn = (typeof ROSTER_COLUMNS)[number];

/** One data row, by its line in the file (1 is the header). */
export interface RosterLine {
  line: number;
  values: Record<RosterColumn, string>;
}

/** What is wrong with one row (or, with `column: null`, with the row or file as a whole). */
export interface RowProblem {
  line: number;
  column: RosterColumn | null;
  message: string;
}

export interface ParsedRoster {
  lines: RosterLine[];
  problems: RowProblem[];
}

const normalise = (name: string): string => name.trim().toLowerCase().replace(/[\s-]+/g, '_');

export function parseRosterCsv(text: string): ParsedRoster {
  let records: { info: { lines: number }; record: string[] }[];
  try {
    records = parse(text, { bom: true, info: true, skip_empty_lines: true, relax_column_count: true }) as never;
  } catch (err) {
    if (err instanceof CsvError) {
      const line = typeof err.lines === 'number' ? err.lines : 1;
      return { lines: [], problems: [{ line, column: null, message: `not readable as CSV: ${err.message.replace(/^Invalid [^:]*:\s*/, '')}` }] };
    }
    throw err;
  }
  const [header, ...rows] = records;
  if (!header) return { lines: [], problems: [{ line: 1, column: null, message: 'the file is empty: it needs a header row (username,email,first_name,last_name,role)' }] };
  const problems: RowProblem[] = [];
  const positions = new Map<RosterColumn, number>();
  header.record.forEach((raw, i) => {
    const name = normalise(raw);
    if (!(ROSTER_COLUMNS as readonly string[]).includes(name)) {
      problems.push({ line: header.info.lines, column: null, message: `unknown column "${raw}" (columns: ${ROSTER_COLUMNS.join(', ')})` });
    } else if (positions.has(name as RosterColumn)) {
      problems.push({ line: header.info.lines, column: null, message: `column "${name}" appears twice` });
    } else positions.set(name as RosterColumn, i);
  });
  if (!positions.has('username')) problems.push({ line: header.info.lines, column: null, message: 'the header has no "username" column' });
  if (problems.length > 0) return { lines: [], problems };
  const lines: RosterLine[] = [];
  for (const { info, record } of rows) {
    if (record.length !== header.record.length) {
      problems.push({ line: info.lines, column: null, message: `has ${record.length} fields; the header has ${header.record.length}` });
      continue;
    }
    const values = Object.fromEntries(ROSTER_COLUMNS.map((c) => [c, positions.has(c) ? record[positions.get(c)!]!.trim() : ''])) as Record<RosterColumn, string>;
    lines.push({ line: info.lines, values });
  }
  return { lines, problems };
}
