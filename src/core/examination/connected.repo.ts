/**
 * The resources hanging off an assignment group (deadline, delivery, static feedback) and the
 * hierarchy as seen from them, as search SQL. All of them reach the group as `g` and its assignment as `da`, so the group's visibility and
 * query words apply unchanged.
 */
import type { FieldSpec } from './search.ts';
import type { JoinSql, ManySql } from './search.repo.ts';
import type { Def, Described } from './described.repo.ts';
import { describeResource, T } from './described.repo.ts';
import { CANDIDATES_FROM, groupWord, HIERARCHY_JOINS, IDENTIFIER } from './groups.repo.ts';
import { candidateIdentifier } from './groups.resource.ts';

const { int, intN, text, textN, date, dateN, bool } = T;

/** The assignment, period and subject fields seen from `prefix` (the path to the assignment, e.g. `assignment_group__parentnode`). */
function hierarchyDefs(a: string): Record<'assignment' | 'period' | 'subject', Def[]> {
  const p = `${a}__parentnode`;
  const s = `${p}__parentnode`;
  return {
    assignment: [
      [a, int, 'g.exercise_id'],
      [`${a}__short_name`, text, 'e.slug'],
      [`${a}__long_name`, text, 'e.name'],
      [`${a}__delivery_types`, int, 'da.delivery_types'],
    ],
    period: [
      [p, int, 'e.course_id'],
      [`${p}__short_name`, text, 'p.short_name'],
      [`${p}__long_name`, text, 'c.name'],
      [`${p}__start_time`, dateN, 'c.start_at'],
      [`${p}__end_time`, dateN, 'c.end_at'],
    ],
    subject: [
      [s, intN, 's.id'],
      [`${s}__short_name`, textN, 's.short_name'],
      [`${s}__long_name`, textN, 's.long_name'],
      [`${s}__parentnode`, intN, 's.node_id'],
    ],
  };
}

/** A resource reaching its group as `g`: the hierarchy joins, the group's query words, its candidates by group id. */
const describe = (d: Omit<Described, 'joins' | 'word' | 'group'> & { extraJoins?: JoinSql[] }) =>
  describeResource({ ...d, joins: [...HIERARCHY_JOINS, ...(d.extraJoins ?? [])], group: 'g.assignment_id', word: groupWord });

const GROUP_OF_DEADLINE = 'JOIN devilry_groups g ON g.assignment_id = d.assignment_id JOIN devilry_assignments da ON da.exercise_id = g.exercise_id';
const candidates = (field: string): Record<string, [FieldSpec, ManySql]> => ({ [field]: [candidateIdentifier, { from: CANDIDATES_FROM, expr: IDENTIFIER }] });
const deliveriesOfDeadline = '(SELECT COUNT(*) FROM devilry_deliveries nd WHERE nd.deadline_id = d.id)';

export const deadlineSql = describe({
  base: 'devilry_deadlines d',
  always: GROUP_OF_DEADLINE,
  id: 'd.id',
  own: [
    ['id', int, 'd.id'],
    ['text', textN, 'd.text'],
    ['deadline', date, 'd.deadline'],
    ['assignment_group', int, 'd.assignment_id'],
    ['number_of_deliveries', int, deliveriesOfDeadline],
    ['feedbacks_published', bool, 'd.feedbacks_published'],
  ],
  groups: {
    assignment_group: [
      ['assignment_group__name', text, 'g.name'],
      ['assignment_group__is_open', bool, 'g.is_open'],
    ],
    ...hierarchyDefs('assignment_group__parentnode'),
  },
  many: candidates('assignment_group__candidates__identifier'),
  manyGroups: { assignment_group_users: ['assignment_group__candidates__identifier'] },
});

const deliveryHierarchy = hierarchyDefs('deadline__assignment_group__parentnode');
export const deliverySql = describe({
  base: 'devilry_deliveries dv',
  always: `JOIN submissions sb ON sb.id = dv.submission_id JOIN devilry_deadlines d ON d.id = dv.deadline_id ${GROUP_OF_DEADLINE}`,
  id: 'dv.submission_id',
  own: [
    ['id', int, 'dv.submission_id'],
    ['number', int, 'dv.number'],
    ['time_of_delivery', date, 'sb.created_at'],
    ['deadline', int, 'dv.deadline_id'],
    ['successful', bool, 'dv.successful'],
    ['delivery_type', int, 'dv.delivery_type'],
    ['alias_delivery', intN, 'dv.alias_delivery'],
  ],
  groups: {
    delivered_by: [['delivered_by__identifier', textN, 'du.username']],
    deadline: [['deadline__deadline', date, 'd.deadline']],
    assignment_group: [
      ['deadline__assignment_group', int, 'g.assignment_id'],
      ['deadline__assignment_group__name', text, 'g.name'],
    ],
    assignment: deliveryHierarchy.assignment,
    period: deliveryHierarchy.period,
    subject: deliveryHierarchy.subject,
  },
  many: candidates('deadline__assignment_group__candidates__identifier'),
  manyGroups: {
    candidates: ['deadline__assignment_group__candidates__identifier'],
    assignment_group_users: ['deadline__assignment_group__candidates__identifier'],
  },
  extraJoins: [{ alias: 'du', sql: 'LEFT JOIN users du ON du.id = sb.user_id' }],
});

const feedbackHierarchy = hierarchyDefs('delivery__deadline__assignment_group__parentnode');
export const feedbackSql = describe({
  base: 'feedback fb',
  always: `JOIN devilry_deliveries dv ON dv.submission_id = fb.submission_id JOIN submissions sb ON sb.id = dv.submission_id JOIN devilry_deadlines d ON d.id = dv.deadline_id ${GROUP_OF_DEADLINE}`,
  id: 'fb.id',
  own: [
    ['id', int, 'fb.id'],
    ['grade', textN, 'fb.grade_text'],
    ['is_passing_grade', { type: 'bool', nullable: true }, 'fb.passing'],
    ['saved_by', intN, 'fb.author_id'],
    ['save_timestamp', date, 'fb.created_at'],
    ['delivery', int, 'fb.submission_id'],
    ['rendered_view', text, 'fb.text'],
    ['points', intN, 'fb.points'],
  ],
  groups: {
    assignment: feedbackHierarchy.assignment,
    period: feedbackHierarchy.period,
    subject: feedbackHierarchy.subject,
    assignment_group: [
      ['delivery__deadline__assignment_group', int, 'g.assignment_id'],
      ['delivery__deadline__assignment_group__name', text, 'g.name'],
    ],
    delivery: [
      ['delivery__time_of_delivery', date, 'sb.created_at'],
      ['delivery__number', int, 'dv.number'],
      ['delivery__delivered_by', intN, 'sb.user_id'],
    ],
  },
  many: candidates('delivery__deadline__assignment_group__candidates__identifier'),
  manyGroups: { candidates: ['delivery__deadline__assignment_group__candidates__identifier'] },
});

const fileHierarchy = hierarchyDefs('delivery__deadline__assignment_group__parentnode');
/** A delivery's file: an entry of its submission's tree, named by its Devilry id. */
export const filemetaSql = describe({
  base: 'devilry_filemetas fm',
  always: `JOIN submissions sb ON sb.id = fm.submission_id JOIN tree_entries te ON te.tree_id = sb.tree_id AND te.path = fm.filename
    JOIN devilry_deliveries dv ON dv.submission_id = fm.submission_id JOIN devilry_deadlines d ON d.id = dv.deadline_id ${GROUP_OF_DEADLINE}`,
  id: 'fm.id',
  own: [
    ['id', int, 'fm.id'],
    ['filename', text, 'fm.filename'],
    ['size', int, 'te.size'],
    ['delivery', int, 'fm.submission_id'],
  ],
  groups: { assignment: fileHierarchy.assignment, period: fileHierarchy.period, subject: fileHierarchy.subject },
});
