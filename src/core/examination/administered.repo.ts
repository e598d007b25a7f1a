/**
 * What administrators manage around the groups and periods, as search SQL: candidates and
 * examiners (the `assignment_members` rows Devilry made, by their `devilry_members` id), group
 * tags, a period's related students and examiners (core enrollments of its course) and the two
 * key-value tables. Each names the course it belongs to, which decides who may see it.
 */
import type { RawBuilder } from 'kysely';
import { sql } from 'kysely';
import type { Engine } from '../../db/columns.ts';
import type { Def } from './described.repo.ts';
import { describeResource, T } from './described.repo.ts';
import type { Visibility } from './policies.ts';
import type { ResourceSql, VisibleSql } from './search.repo.ts';
import { containsWord } from './search.repo.ts';

const { int, text, textN, bool } = T;

const FULL_NAME = "TRIM(u.first_name || ' ' || u.last_name)";
const USER_WORDS = ['u.username', 'u.first_name', 'u.last_name', 'u.email'];

/** A resource whose query words match the listed expressions; its course is `course`. */
function describe(base: string, always: string, id: string, own: Def[], groups: Record<string, Def[]>, searched: string[]) {
  const word = (engine: Engine, w: string): RawBuilder<unknown> => sql`(${sql.join(searched.map((e) => containsWord(engine, e, w)), sql` OR `)})`;
  return describeResource({ base, always, id, own, groups, joins: [], word });
}

const userGroup = (path: string): Def[] => [
  [`${path}__username`, text, 'u.username'],
  [`${path}__email`, text, 'u.email'],
  [`${path}__devilryuserprofile__full_name`, text, FULL_NAME],
];

const groupGroup = (path: string): Def[] => [
  [`${path}__name`, text, 'g.name'],
  [`${path}__parentnode`, int, 'g.exercise_id'],
  [`${path}__parentnode__short_name`, text, 'e.slug'],
];

const memberFrom = (role: 'candidate' | 'examiner') =>
  `JOIN users u ON u.id = m.user_id JOIN devilry_groups g ON g.assignment_id = m.assignment_id AND m.role = '${role}' JOIN exercises e ON e.id = g.exercise_id`;

const candidateSql = describe(
  'devilry_members m',
  `${memberFrom('candidate')} LEFT JOIN devilry_candidate_ids ci ON ci.assignment_id = m.assignment_id AND ci.user_id = m.user_id`,
  'm.id',
  [
    ['id', int, 'm.id'],
    ['student', int, 'm.user_id'],
    ['candidate_id', textN, 'ci.candidate_id'],
    ['assignment_group', int, 'm.assignment_id'],
  ],
  { student: userGroup('student'), assignment_group: groupGroup('assignment_group') },
  [...USER_WORDS, 'ci.candidate_id', 'g.name'],
);

const examinerSql = describe(
  'devilry_members m',
  memberFrom('examiner'),
  'm.id',
  [
    ['id', int, 'm.id'],
    ['user', int, 'm.user_id'],
    ['assignmentgroup', int, 'm.assignment_id'],
  ],
  { user: userGroup('user'), assignmentgroup: groupGroup('assignmentgroup') },
  [...USER_WORDS, 'g.name'],
);

const tagSql = describe(
  'devilry_group_tags t',
  'JOIN devilry_groups g ON g.assignment_id = t.assignment_id JOIN exercises e ON e.id = g.exercise_id',
  't.id',
  [
    ['id', int, 't.id'],
    ['assignment_group', int, 't.assignment_id'],
    ['tag', text, 't.tag'],
  ],
  { assignment_group: groupGroup('assignment_group') },
  ['t.tag', 'g.name'],
);

/** Course roles that make a user a period's related student or examiner. */
export const RELATED_ROLES = { relatedstudent: ['student'], relatedexaminer: ['checker', 'instructor'] } as const;

const relatedFrom = (model: keyof typeof RELATED_ROLES) =>
  `JOIN devilry_periods p ON p.course_id = r.course_id AND r.role IN (${RELATED_ROLES[model].map((x) => `'${x}'`).join(', ')}) AND NOT r.dropped
   JOIN users u ON u.id = r.user_id LEFT JOIN devilry_related rx ON rx.enrollment_id = r.id`;

const periodGroup: Def[] = [
  ['period__short_name', text, 'p.short_name'],
  ['period__long_name', text, 'c.name'],
];

const relatedStudentSql = describe(
  'enrollments r',
  `${relatedFrom('relatedstudent')} JOIN courses c ON c.id = r.course_id`,
  'r.id',
  [
    ['id', int, 'r.id'],
    ['period', int, 'r.course_id'],
    ['user', int, 'r.user_id'],
    ['candidate_id', textN, 'rx.candidate_id'],
    ['tags', text, "COALESCE(rx.tags, '')"],
  ],
  { user: userGroup('user'), period: periodGroup },
  [...USER_WORDS, 'rx.candidate_id', 'rx.tags'],
);

const relatedExaminerSql = describe(
  'enrollments r',
  `${relatedFrom('relatedexaminer')} JOIN courses c ON c.id = r.course_id`,
  'r.id',
  [
    ['id', int, 'r.id'],
    ['period', int, 'r.course_id'],
    ['user', int, 'r.user_id'],
    ['tags', text, "COALESCE(rx.tags, '')"],
  ],
  { user: userGroup('user'), period: periodGroup },
  [...USER_WORDS, 'rx.tags'],
);

const relatedStudentKvSql = describe(
  'devilry_related_student_kv kv',
  `JOIN enrollments r ON r.id = kv.enrollment_id JOIN devilry_periods p ON p.course_id = r.course_id`,
  'kv.id',
  [
    ['id', int, 'kv.id'],
    ['relatedstudent', int, 'kv.enrollment_id'],
    ['application', text, 'kv.application'],
    ['key', text, 'kv.key_name'],
    ['value', textN, 'kv.value_text'],
    ['student_can_read', bool, 'kv.student_can_read'],
  ],
  {},
  ['kv.application', 'kv.key_name', 'kv.value_text'],
);

const periodKvSql = describe(
  'devilry_period_kv pkv',
  'JOIN devilry_periods p ON p.course_id = pkv.course_id',
  'pkv.id',
  [
    ['id', int, 'pkv.id'],
    ['period', int, 'pkv.course_id'],
    ['application', text, 'pkv.application'],
    ['key', text, 'pkv.key_name'],
    ['value', textN, 'pkv.value_text'],
  ],
  {},
  ['pkv.application', 'pkv.key_name', 'pkv.value_text'],
);

/** Administrators see a course's objects when superusers or its instructors. */
function courseVisibleSql(course: string, v: Visibility): VisibleSql {
  switch (v.kind) {
    case 'all':
      return { where: sql`1 = 1`, aliases: [] };
    case 'instructor':
      return {
        where: sql`EXISTS (SELECT 1 FROM enrollments ven WHERE ven.course_id = ${sql.raw(course)} AND ven.user_id = ${v.userId} AND ven.role = 'instructor' AND NOT ven.dropped)`,
        aliases: [],
      };
    case 'member':
      return { where: sql`1 = 0`, aliases: [] };
  }
}

export interface AdministeredSql {
  sql: ResourceSql;
  visible: (v: Visibility) => VisibleSql;
}

const byCourse = (r: ResourceSql, course: string): AdministeredSql => ({ sql: r, visible: (v) => courseVisibleSql(course, v) });

export const ADMINISTERED = {
  candidate: byCourse(candidateSql, 'e.course_id'),
  examiner: byCourse(examinerSql, 'e.course_id'),
  assignmentgrouptag: byCourse(tagSql, 'e.course_id'),
  relatedstudent: byCourse(relatedStudentSql, 'r.course_id'),
  relatedexaminer: byCourse(relatedExaminerSql, 'r.course_id'),
  // Students read the values about themselves that they are allowed to read.
  relatedstudentkeyvalue: {
    sql: relatedStudentKvSql,
    visible: (v: Visibility): VisibleSql =>
      v.kind === 'member' ? { where: sql`r.user_id = ${v.userId} AND r.role = 'student' AND NOT r.dropped AND kv.student_can_read`, aliases: [] } : courseVisibleSql('r.course_id', v),
  },
  periodapplicationkeyvalue: byCourse(periodKvSql, 'pkv.course_id'),
} as const satisfies Record<string, AdministeredSql>;

export type AdministeredModel = keyof typeof ADMINISTERED;

export const isAdministered = (model: string): model is AdministeredModel => model in ADMINISTERED;
