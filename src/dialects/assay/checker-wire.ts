import { Type } from '@sinclair/typebox';
import { ASSIGNMENT_STATUSES } from '../../core/assignments/status-flow.ts';
import type { LineComment } from '../../core/review/line-comments.service.ts';
import { DateTime, Enum, Nullable } from '../hive/schema-helpers.ts';

/** Wire shapes shared by the checker's routes. */
export const LockHolder = Type.Object({ id: Type.Integer(), name: Type.String() }, { description: 'The checker holding the lock.' });
export const Named = Type.Object({ id: Type.Integer(), name: Type.String() });
export const Student = Type.Object({ id: Type.Integer(), username: Type.String(), name: Type.String() });
export const AssignmentStatus = Enum(ASSIGNMENT_STATUSES);

export const LineCommentWire = Type.Object({
  id: Type.Integer(),
  submission: Type.Integer(),
  path: Type.String(),
  line: Type.Integer({ minimum: 1, description: '1-based.' }),
  text: Type.String(),
  author: Nullable(Named),
  created_at: DateTime(),
});

export const renderLineComment = (c: LineComment) => ({ id: c.id, submission: c.submission_id, path: c.path, line: c.line, text: c.text, author: c.author, created_at: c.created_at });

/** Hive's error envelope (drf-standardized-errors), which `/api/assay/v1` answers errors in. */
export const ErrorEnvelope = Type.Object(
  {
    type: Enum(['validation_error', 'client_error', 'server_error'] as const),
    errors: Type.Array(Type.Object({ code: Type.String(), detail: Type.String(), attr: Nullable(Type.String({ description: 'The field (dotted path) or query key at fault.' })) })),
  },
  { description: 'An error: 400 bad input (one entry per problem), 401 not signed in, 403 refused (or locked by another checker), 404 not found.' },
);
const ERRORS = { 400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope };

/** A route's OpenAPI description; its error answers are Hive's envelope. */
export const doc = (operationId: string, summary: string, extra: { response?: Record<number, unknown> } & Record<string, unknown> = {}) => ({
  operationId,
  summary,
  tags: ['assay'],
  ...extra,
  response: { ...ERRORS, ...extra.response },
});
export const idParams = Type.Object({ id: Type.Integer() });
