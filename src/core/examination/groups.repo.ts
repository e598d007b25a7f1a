/** Assignment groups: the search's SQL, the to-many fields of a page, and the maintained derived columns. */
import type { RawBuilder } from 'kysely';
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Engine } from '../../db/columns.ts';
import type { JoinSql, ResourceSql, VisibleSql } from './search.repo.ts';
import { containsWord } from './search.repo.ts';
import { CANDIDATE_ID_MISSING, examinerGroupSpec } from './groups.resource.ts';
import type { Visibility } from './policies.ts';
import type { Condition } from './search.ts';
import { foldCase } from '../../db/case-fold.ts';

const ANON = 'da.anonymous';
/** Candidates of the outer group `g`, with their identity as the assignment's anonymity allows. */
export const CANDIDATES_FROM =
  "FROM assignment_members cm JOIN users cu ON cu.id = cm.user_id LEFT JOIN devilry_candidate_ids cci ON cci.assignment_id = cm.assignment_id AND cci.user_id = cm.user_id WHERE cm.assignment_id = g.assignment_id AND cm.role = 'candidate'";
export const IDENTIFIER = `(CASE WHEN ${ANON} THEN COALESCE(cci.candidate_id, '${CANDIDATE_ID_MISSING}') ELSE cu.username END)`;
const FULL_NAME = `(CASE WHEN ${ANON} THEN NULL ELSE TRIM(cu.first_name || ' ' || cu.last_name) END)`;
const EMAIL = `(CASE WHEN ${ANON} THEN NULL ELSE cu.email END)`;
const TAGS_FROM = 'FROM devilry_group_tags gt WHERE gt.assignment_id = g.assignment_id';

/** From a group `g` up to its assignment `e`, period `c` (with `p`) and subject `s`. */
export const HIERARCHY_JOINS: JoinSql[] = [
  { alias: 'e', sql: 'JOIN exercises e ON e.id = g.exercise_id' },
  { alias: 'c', sql: 'JOIN courses c ON c.id = e.course_id', needs: ['e'] },
  { alias: 'p', sql: 'LEFT JOIN devilry_periods p ON p.course_id = e.course_id', needs: ['e'] },
  { alias: 's', sql: 'LEFT JOIN devilry_subjects s ON s.id = p.subject_id', needs: ['p'] },
];

export const groupSql: ResourceSql = {
  spec: examinerGroupSpec,
  base: 'devilry_groups g',
  always: 'JOIN devilry_assignments da ON da.exercise_id = g.exercise_id',
  joins: [
    ...HIERARCHY_JOINS,
    { alias: 'f', sql: 'LEFT JOIN feedback f ON f.id = g.feedback_id' },
    { alias: 'fd', sql: 'LEFT JOIN devilry_deliveries fd ON fd.submission_id = f.submission_id', needs: ['f'] },
    { alias: 'fs', sql: 'LEFT JOIN submissions fs ON fs.id = f.submission_id', needs: ['f'] },
  ],
  id: 'g.assignment_id',
  columns: {
    id: 'g.assignment_id',
    name: 'g.name',
    is_open: 'g.is_open',
    parentnode: 'g.exercise_id',
    feedback: 'g.feedback_id',
    latest_delivery_id: 'g.latest_delivery_id',
    latest_deadline_id: 'g.latest_deadline_id',
    latest_deadline_deadline: 'g.latest_deadline_deadline',
    number_of_deliveries: 'g.number_of_deliveries',
    feedback__points: 'f.points',
    feedback__grade: 'f.grade_text',
    feedback__is_passing_grade: 'f.passing',
    feedback__rendered_view: 'f.text',
    feedback__delivery__number: 'fd.number',
    feedback__delivery__time_of_delivery: 'fs.created_at',
    feedback__delivery__delivery_type: 'fd.delivery_type',
    feedback__delivery__deadline: 'fd.deadline_id',
    parentnode__long_name: 'e.name',
    parentnode__short_name: 'e.slug',
    parentnode__anonymous: 'da.anonymous',
    parentnode__delivery_types: 'da.delivery_types',
    parentnode__publishing_time: 'da.publishing_time',
    parentnode__parentnode: 'c.id',
    parentnode__parentnode__long_name: 'c.name',
    parentnode__parentnode__short_name: 'p.short_name',
    parentnode__parentnode__start_time: 'c.start_at',
    parentnode__parentnode__end_time: 'c.end_at',
    parentnode__parentnode__parentnode: 's.id',
    parentnode__parentnode__parentnode__long_name: 's.long_name',
    parentnode__parentnode__parentnode__short_name: 's.short_name',
    parentnode__parentnode__parentnode__parentnode: 's.node_id',
  },
  many: {
    candidates__identifier: { from: CANDIDATES_FROM, expr: IDENTIFIER },
    candidates__full_name: { from: CANDIDATES_FROM, expr: FULL_NAME },
    candidates__email: { from: CANDIDATES_FROM, expr: EMAIL },
    tags__tag: { from: TAGS_FROM, expr: 'gt.tag' },
  },
  word: groupWord,
  prefilter: identifierPrefilter,
};

const MISSING = CANDIDATE_ID_MISSING;

/** A search text of the group (migration 0031: folded on PostgreSQL, as written on SQLite) contains a folded value. */
function inSearchText(engine: Engine, column: 'search_text' | 'search_text_anonymous', folded: string): RawBuilder<unknown> {
  return engine === 'postgres' ? sql`strpos(${sql.ref(`g.${column}`)}, ${folded}) > 0` : containsWord(engine, `g.${column}`, folded);
}

/**
 * One query word on a group: its name, its tags, its candidates (usernames, names and emails on
 * open assignments; candidate ids on anonymous ones), and the names of its assignment, period and
 * subject. The hierarchy's few rows are matched once per query; everything else is in the group's
 * own search texts (migration 0031, kept by triggers), one column read per visible group, so the
 * cost follows the caller's groups and the word, not the whole database. A word never contains
 * whitespace, so it is in a full name exactly when it is in the first or the last name.
 */
export function groupWord(engine: Engine, w: string): RawBuilder<unknown> {
  const has = (expr: string) => containsWord(engine, expr, w);
  const hierarchy = sql`g.exercise_id IN (SELECT we.id FROM exercises we JOIN courses wc ON wc.id = we.course_id
      LEFT JOIN devilry_periods wp ON wp.course_id = wc.id LEFT JOIN devilry_subjects ws ON ws.id = wp.subject_id
      WHERE ${sql.join(['we.name', 'we.slug', 'wc.name', 'wp.short_name', 'ws.long_name', 'ws.short_name'].map(has), sql` OR `)})`;
  // A candidate without a candidate id is shown as MISSING on an anonymous assignment.
  const missing = MISSING.includes(w)
    ? sql` OR EXISTS (SELECT 1 FROM assignment_members wm WHERE wm.assignment_id = g.assignment_id AND wm.role = 'candidate'
        AND NOT EXISTS (SELECT 1 FROM devilry_candidate_ids wi WHERE wi.assignment_id = wm.assignment_id AND wi.user_id = wm.user_id))`
    : sql``;
  return sql`(${hierarchy} OR (NOT da.anonymous AND ${inSearchText(engine, 'search_text', w)}) OR (da.anonymous AND (${inSearchText(engine, 'search_text_anonymous', w)}${missing})))`;
}

/**
 * A candidate's identifier (username, or candidate id on anonymous assignments) is in the group's
 * search text, so a group whose identifiers contain, start with, end with or equal a value has
 * the value in its text, in any case: a test of one column that spares the other groups the
 * sub-select over their candidates. MISSING is in no text.
 */
function identifierPrefilter(engine: Engine, c: Condition): RawBuilder<unknown> | null {
  if (c.field !== 'candidates__identifier') return null;
  const value = c.kind === 'text' ? c.value : c.kind === 'compare' && c.op === '=' && typeof c.value === 'string' ? c.value : '';
  if (value === '') return null;
  const folded = foldCase(value);
  const anonymous = MISSING.includes(folded) ? sql`da.anonymous` : sql`(da.anonymous AND ${inSearchText(engine, 'search_text_anonymous', folded)})`;
  return sql`(${anonymous} OR (NOT da.anonymous AND ${inSearchText(engine, 'search_text', folded)}))`;
}

export interface CandidateRow {
  group_id: number;
  identifier: string;
  full_name: string | null;
  email: string | null;
}

/** The candidates of a page of groups, in one query. */
export async function candidatesOf(db: Db, groupIds: number[]): Promise<CandidateRow[]> {
  if (groupIds.length === 0) return [];
  const res = await sql<CandidateRow>`SELECT g.assignment_id AS group_id, ${sql.raw(IDENTIFIER)} AS identifier, ${sql.raw(FULL_NAME)} AS full_name, ${sql.raw(EMAIL)} AS email
    FROM devilry_groups g JOIN devilry_assignments da ON da.exercise_id = g.exercise_id
    JOIN assignment_members cm ON cm.assignment_id = g.assignment_id AND cm.role = 'candidate'
    JOIN users cu ON cu.id = cm.user_id
    LEFT JOIN devilry_candidate_ids cci ON cci.assignment_id = cm.assignment_id AND cci.user_id = cm.user_id
    WHERE g.assignment_id IN (${sql.join(groupIds)}) ORDER BY g.assignment_id, identifier`.execute(db);
  return res.rows;
}

/** The tags of a page of groups, in one query. */
export async function tagsOf(db: Db, groupIds: number[]): Promise<{ group_id: number; tag: string }[]> {
  if (groupIds.length === 0) return [];
  return db
    .selectFrom('devilry_group_tags')
    .select(['assignment_id as group_id', 'tag'])
    .where('assignment_id', 'in', groupIds)
    .orderBy('assignment_id')
    .orderBy('tag')
    .execute();
}

/**
 * Recomputes a group's derived columns from its deadlines, deliveries and feedback. Called in the
 * transaction of every write that changes them, so search reads them as plain indexed columns.
 */
export async function refreshDerived(trx: Db, groupId: number): Promise<void> {
  await sql`UPDATE devilry_groups SET
      latest_deadline_id = (SELECT d.id FROM devilry_deadlines d WHERE d.assignment_id = ${groupId} ORDER BY d.deadline DESC, d.id DESC LIMIT 1),
      latest_deadline_deadline = (SELECT MAX(d.deadline) FROM devilry_deadlines d WHERE d.assignment_id = ${groupId}),
      latest_delivery_id = (SELECT MAX(s.id) FROM submissions s JOIN devilry_deliveries dd ON dd.submission_id = s.id WHERE s.assignment_id = ${groupId}),
      number_of_deliveries = (SELECT COUNT(*) FROM submissions s JOIN devilry_deliveries dd ON dd.submission_id = s.id WHERE s.assignment_id = ${groupId}),
      feedback_id = (SELECT MAX(f.id) FROM feedback f JOIN submissions s ON s.id = f.submission_id WHERE s.assignment_id = ${groupId})
    WHERE assignment_id = ${groupId}`.execute(trx);
}

export async function setOpen(trx: Db, groupId: number, isOpen: boolean): Promise<void> {
  await trx.updateTable('devilry_groups').set({ is_open: isOpen }).where('assignment_id', '=', groupId).execute();
}

/** The visibility decision of the policies as a condition on the outer group `g` (and `da`, `c`). */
export function groupVisibleSql(engine: Engine, v: Visibility, drive = true): VisibleSql {
  switch (v.kind) {
    case 'all':
      return { where: sql`1 = 1`, aliases: [] };
    case 'instructor':
      return {
        where: sql`EXISTS (SELECT 1 FROM enrollments en WHERE en.course_id = e.course_id AND en.user_id = ${v.userId} AND en.role = 'instructor' AND NOT en.dropped)`,
        aliases: ['e'],
      };
    case 'member': {
      // Driven from the caller's memberships (a covering index) and then each group by its key,
      // never by scanning every group: every search costs what the caller's own groups cost.
      // SQLite keeps the left table of a CROSS JOIN outside. PostgreSQL would hash-join a seq
      // scan of all groups; sub-selects with OFFSET 0 are not flattened, so there the visible
      // groups are a nested loop over the membership index, joined to the rest afterwards.
      const published = v.publishedBefore === null ? sql`1 = 1` : sql`da.publishing_time <= ${v.publishedBefore}`;
      if (!drive) {
        const member = sql`g.assignment_id IN (SELECT xm.assignment_id FROM assignment_members xm WHERE xm.user_id = ${v.userId} AND xm.role = ${v.memberRole})`;
        return { where: sql`${member} AND ${published}`, aliases: [] };
      }
      if (engine === 'postgres') {
        const from = sql`FROM (SELECT g1.* FROM assignment_members xm
          JOIN LATERAL (SELECT * FROM devilry_groups g0 WHERE g0.assignment_id = xm.assignment_id OFFSET 0) g1 ON true
          WHERE xm.user_id = ${v.userId} AND xm.role = ${v.memberRole} OFFSET 0) g`;
        return { where: published, aliases: [], from };
      }
      const from = sql`FROM assignment_members xm CROSS JOIN devilry_groups g ON g.assignment_id = xm.assignment_id`;
      return { where: sql`xm.user_id = ${v.userId} AND xm.role = ${v.memberRole} AND ${published}`, aliases: [], from };
    }
  }
}
