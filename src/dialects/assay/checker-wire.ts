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

export const doc = (operationId: string, summary: string, extra: object = {}) => ({ operationId, summary, tags: ['assay'], ...extra });
export const idParams = Type.Object({ id: Type.Integer() });
