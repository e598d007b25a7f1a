/**
 * The hierarchy above the groups as search SQL: assignments (exercises), periods (courses) and
 * subjects. Each is visible when a group the caller may see lies below it.
 */
import type { RawBuilder } from 'kysely';
import { sql } from 'kysely';
import type { Engine } from '../../db/columns.ts';
import type { VisibleSql } from './search.repo.ts';
import type { Def } from './described.repo.ts';
import { describeResource, T } from './described.repo.ts';
import { containsWord } from './search.repo.ts';
import type { Visibility } from './policies.ts';

const { int, intN, text, textN, dateN } = T;

/** A level above the groups: no joins of its own beyond `always`; query words match its listed names. */
function describe(base: string, always: string, id: string, own: Def[], groups: Record<string, Def[]>, searched: string[]) {
  const word = (engine: Engine, w: string): RawBuilder<unknown> => sql`(${sql.join(searched.map((e) => containsWord(engine, e, w)), sql` OR `)})`;
  return describeResource({ base, always, id, own, groups, joins: [], word });
}

const PERIOD_UP = 'LEFT JOIN devilry_periods p ON p.course_id = c.id LEFT JOIN devilry_subjects s ON s.id = p.subject_id';

export const assignmentSql = describe(
  'exercises e',
  `JOIN devilry_assignments da ON da.exercise_id = e.id JOIN courses c ON c.id = e.course_id ${PERIOD_UP}`,
  'e.id',
  [
    ['id', int, 'e.id'],
    ['parentnode', int, 'e.course_id'],
    ['short_name', text, 'e.slug'],
    ['long_name', text, 'e.name'],
    ['publishing_time', T.date, 'da.publishing_time'],
    ['delivery_types', int, 'da.delivery_types'],
    ['anonymous', T.bool, 'da.anonymous'],
    ['scale_points_percent', int, 'da.scale_points_percent'],
  ],
  {
    period: [
      ['parentnode__short_name', text, 'p.short_name'],
      ['parentnode__long_name', text, 'c.name'],
      ['parentnode__start_time', dateN, 'c.start_at'],
      ['parentnode__end_time', dateN, 'c.end_at'],
      ['parentnode__parentnode', intN, 's.id'],
    ],
    subject: [
      ['parentnode__parentnode__short_name', textN, 's.short_name'],
      ['parentnode__parentnode__long_name', textN, 's.long_name'],
    ],
  },
  ['e.slug', 'e.name', 'p.short_name', 'c.name', 's.short_name', 's.long_name'],
);

export const periodSql = describe(
  'courses c',
  'JOIN devilry_periods p ON p.course_id = c.id LEFT JOIN devilry_subjects s ON s.id = p.subject_id',
  'c.id',
  [
    ['id', int, 'c.id'],
    ['parentnode', int, 'p.subject_id'],
    ['short_name', text, 'p.short_name'],
    ['long_name', text, 'c.name'],
    ['start_time', dateN, 'c.start_at'],
    ['end_time', dateN, 'c.end_at'],
  ],
  {
    subject: [
      ['parentnode__short_name', textN, 's.short_name'],
      ['parentnode__long_name', textN, 's.long_name'],
    ],
  },
  ['p.short_name', 'c.name', 's.short_name', 's.long_name'],
);

export const subjectSql = describe(
  'devilry_subjects s',
  '',
  's.id',
  [
    ['id', int, 's.id'],
    ['parentnode', int, 's.node_id'],
    ['short_name', text, 's.short_name'],
    ['long_name', text, 's.long_name'],
  ],
  {},
  ['s.short_name', 's.long_name'],
);

/** Nodes: only superusers (who see everything) reach them; the administrator's node search. */
export const nodeSql = describe(
  'devilry_nodes n',
  '',
  'n.id',
  [
    ['id', int, 'n.id'],
    ['parentnode', intN, 'n.parentnode_id'],
    ['short_name', text, 'n.short_name'],
    ['long_name', text, 'n.long_name'],
  ],
  {},
  ['n.short_name', 'n.long_name'],
);

/** How each level links to the groups below it (`vg`, its exercise `ve`, period `vp`). */
const LINK: Record<'assignment' | 'period' | 'subject', string> = {
  assignment: 'vg.exercise_id = e.id',
  period: 've.course_id = c.id',
  subject: 'vp.subject_id = s.id',
};

/** Visible when a group the caller may see lies below (for examiners, on a published assignment). */
export function upwardVisibleSql(level: keyof typeof LINK | 'node', v: Visibility): VisibleSql {
  if (level === 'node') return { where: v.kind === 'all' ? sql`1 = 1` : sql`1 = 0`, aliases: [] };
  const below = `FROM devilry_groups vg JOIN devilry_assignments vda ON vda.exercise_id = vg.exercise_id JOIN exercises ve ON ve.id = vg.exercise_id
    LEFT JOIN devilry_periods vp ON vp.course_id = ve.course_id`;
  switch (v.kind) {
    case 'all':
      return { where: sql`1 = 1`, aliases: [] };
    case 'instructor':
      return {
        where: sql`EXISTS (SELECT 1 ${sql.raw(below)} JOIN enrollments en ON en.course_id = ve.course_id
          WHERE ${sql.raw(LINK[level])} AND en.user_id = ${v.userId} AND en.role = 'instructor' AND NOT en.dropped)`,
        aliases: [],
      };
    case 'member': {
      const published = v.publishedBefore === null ? sql`` : sql`AND vda.publishing_time <= ${v.publishedBefore}`;
      return {
        where: sql`EXISTS (SELECT 1 ${sql.raw(below)} JOIN assignment_members xm ON xm.assignment_id = vg.assignment_id
          WHERE ${sql.raw(LINK[level])} AND xm.user_id = ${v.userId} AND xm.role = ${v.memberRole} ${published})`,
        aliases: [],
      };
    }
  }
}
