import type { FieldSpec, ResourceSpec } from './search.ts';

/** The assignment group as Devilry's examiner (and student) search sees it (reference §6.1). */
const int: FieldSpec = { type: 'int' };
const intN: FieldSpec = { type: 'int', nullable: true };
const text: FieldSpec = { type: 'text' };
const textN: FieldSpec = { type: 'text', nullable: true };
const dateN: FieldSpec = { type: 'datetime', nullable: true };
const textMany: FieldSpec = { type: 'text', many: true };

/** A candidate's identifier on an anonymous assignment when the candidate has no candidate id. */
export const CANDIDATE_ID_MISSING = 'candidate-id missing';
/** Candidate identifiers: a filter value `none` means "candidate-id missing" (devilry.md §5.2). */
export const candidateIdentifier: FieldSpec = { type: 'text', many: true, none: CANDIDATE_ID_MISSING };

export const groupFields: Record<string, FieldSpec> = {
  id: int,
  name: text,
  is_open: { type: 'bool' },
  parentnode: int,
  feedback: intN,
  latest_delivery_id: intN,
  latest_deadline_id: intN,
  latest_deadline_deadline: dateN,
  number_of_deliveries: int,
  candidates__identifier: candidateIdentifier,
  candidates__full_name: { type: 'text', many: true, nullable: true },
  candidates__email: { type: 'text', many: true, nullable: true },
  tags__tag: textMany,
  candidates: { type: 'text', objects: true },
  feedback__points: intN,
  feedback__grade: textN,
  feedback__is_passing_grade: { type: 'bool', nullable: true },
  feedback__rendered_view: textN,
  feedback__delivery__number: intN,
  feedback__delivery__time_of_delivery: dateN,
  feedback__delivery__delivery_type: intN,
  feedback__delivery__deadline: intN,
  parentnode__long_name: text,
  parentnode__short_name: text,
  parentnode__anonymous: { type: 'bool' },
  parentnode__delivery_types: int,
  parentnode__publishing_time: { type: 'datetime' },
  parentnode__parentnode: int,
  parentnode__parentnode__long_name: text,
  parentnode__parentnode__short_name: text,
  parentnode__parentnode__start_time: dateN,
  parentnode__parentnode__end_time: dateN,
  parentnode__parentnode__parentnode: intN,
  parentnode__parentnode__parentnode__long_name: textN,
  parentnode__parentnode__parentnode__short_name: textN,
  parentnode__parentnode__parentnode__parentnode: intN,
};

export const examinerGroupSpec: ResourceSpec = {
  fields: groupFields,
  always: ['id', 'name', 'is_open', 'parentnode', 'feedback', 'latest_delivery_id', 'latest_deadline_id', 'latest_deadline_deadline', 'number_of_deliveries'],
  fieldgroups: {
    users: ['candidates__identifier'],
    tags: ['tags__tag'],
    candidates: ['candidates'],
    feedback: ['feedback__points', 'feedback__grade', 'feedback__is_passing_grade'],
    feedback_rendered_view: ['feedback__rendered_view'],
    feedbackdelivery: ['feedback__delivery__number', 'feedback__delivery__time_of_delivery', 'feedback__delivery__delivery_type', 'feedback__delivery__deadline'],
    assignment: ['parentnode__long_name', 'parentnode__short_name', 'parentnode__anonymous', 'parentnode__delivery_types', 'parentnode__publishing_time'],
    period: ['parentnode__parentnode', 'parentnode__parentnode__long_name', 'parentnode__parentnode__short_name'],
    subject: ['parentnode__parentnode__parentnode', 'parentnode__parentnode__parentnode__long_name', 'parentnode__parentnode__parentnode__short_name'],
  },
  searchFields: [
    'name',
    'tags__tag',
    'candidates__identifier',
    'candidates__full_name',
    'candidates__email',
    'parentnode__long_name',
    'parentnode__short_name',
    'parentnode__parentnode__long_name',
    'parentnode__parentnode__short_name',
    'parentnode__parentnode__parentnode__long_name',
    'parentnode__parentnode__parentnode__short_name',
  ],
  filterFields: [
    'id',
    'parentnode',
    'is_open',
    'latest_deadline_deadline',
    'number_of_deliveries',
    'feedback',
    'feedback__points',
    'feedback__is_passing_grade',
    'feedback__grade',
    'candidates__identifier',
    'feedback__delivery__number',
    'feedback__delivery__time_of_delivery',
    'feedback__delivery__delivery_type',
    'parentnode__delivery_types',
    'parentnode__parentnode',
    'parentnode__short_name',
    'parentnode__long_name',
    'parentnode__parentnode__parentnode',
    'parentnode__parentnode__start_time',
    'parentnode__parentnode__end_time',
    'parentnode__parentnode__short_name',
    'parentnode__parentnode__long_name',
    'parentnode__parentnode__parentnode__parentnode',
    'parentnode__parentnode__parentnode__short_name',
    'parentnode__parentnode__parentnode__long_name',
  ],
  extraOrderBy: ['candidates__identifier', 'candidates__full_name', 'candidates__email'],
  defaultOrder: ['id'],
};

/** Fields the examiner may send on update (reference §6.1). */
export const EXAMINER_GROUP_EDITABLE = ['is_open'] as const;
