import { Type } from '@sinclair/typebox';
import type { InboxFilters } from '../../core/inbox/inbox.service.ts';
import { INBOX_KINDS, INBOX_STATUSES } from '../../core/inbox/inbox.service.ts';
import { parseFilters } from '../hive/filters.ts';
import type { HiveRouter } from '../hive/router.ts';
import { Enum, Nullable } from '../hive/schema-helpers.ts';
import { LockHolder, Named, Student, doc } from './checker-wire.ts';

const filterSpec = {
  course: 'int',
  exercise: 'int',
  student: 'int',
  status: { kind: 'choice', choices: INBOX_STATUSES },
  kind: { kind: 'choice', choices: INBOX_KINDS },
} as const;

const InboxQuery = Type.Object({
  course: Type.Optional(Type.Integer()),
  exercise: Type.Optional(Type.Integer()),
  student: Type.Optional(Type.Integer()),
  status: Type.Optional(Enum(INBOX_STATUSES)),
  kind: Type.Optional(Enum(INBOX_KINDS)),
});

const InboxItemWire = Type.Object({
  kind: Enum(INBOX_KINDS),
  id: Type.Integer(),
  course: Nullable(Named),
  exercise: Nullable(Named),
  student: Student,
  title: Type.String({ description: "The help thread's title; the assignment's exercise name." }),
  status: Enum(INBOX_STATUSES),
  waiting_since: Type.String({ format: 'date-time', description: "An assignment's latest submission; a help thread's opening." }),
  submission: Nullable(Type.Integer({ description: "An assignment's latest submission." })),
  locked_by: Nullable(LockHolder),
});

/**
 * The checker's inbox.
 *
 * - `GET /inbox/?course=&exercise=&student=&status=&kind=`: across the courses the caller checks,
 *   the assignments waiting for a check (Submitted, AutoChecked) and the open help threads,
 *   oldest first, each with the checker holding it. Students: 403.
 */
export function checkerInboxRoutes(router: HiveRouter): void {
  router.get(
    '/inbox/',
    {
      schema: doc('assay_inbox_list', "Work waiting for the caller's checks, oldest first", {
        querystring: InboxQuery,
        response: { 200: Type.Object({ items: Type.Array(InboxItemWire) }) },
      }),
    },
    async ({ services, actor, query }) => {
      const f = parseFilters(filterSpec, query);
      const filters: InboxFilters = {
        ...(f.course !== undefined ? { courseId: f.course } : {}),
        ...(f.exercise !== undefined ? { exerciseId: f.exercise } : {}),
        ...(f.student !== undefined ? { studentId: f.student } : {}),
        ...(f.status !== undefined ? { status: f.status as InboxFilters['status'] } : {}),
        ...(f.kind !== undefined ? { kind: f.kind as InboxFilters['kind'] } : {}),
      };
      return { items: await services.review.inbox.list(actor, filters) };
    },
  );
}
