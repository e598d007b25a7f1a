import type { Static } from '@sinclair/typebox';
import { Type } from '@sinclair/typebox';
import { MAX_AUDIT_PAGE } from '../../core/audit/audit.service.ts';
import { AUDIT_KINDS } from '../../core/audit/audit.ts';
import type { HiveRouter } from '../hive/router.ts';
import { DateTime, Enum, Nullable } from '../hive/schema-helpers.ts';
import { validateBody } from '../hive/validate.ts';

const Person = Type.Object({ id: Nullable(Type.Integer({ description: 'Null once the account is deleted.' })), username: Type.String() });
const AuditEntryWire = Type.Object({
  id: Type.Integer(),
  kind: Enum(AUDIT_KINDS),
  actor: Nullable(Person),
  subject: Nullable(Person),
  exercise: Nullable(Type.Object({ id: Type.Integer(), name: Type.String() })),
  submission: Nullable(Type.Integer()),
  field: Type.String({ description: "What changed: a problem's name, `total`, `status`, `grade` (Devilry), `role`, `dropped`, `extension`." }),
  before: Type.Unknown({ description: 'The value before (null: none).' }),
  after: Type.Unknown({ description: 'The value after (null: none, e.g. a removed member).' }),
  created_at: DateTime(),
});
const doc = (operationId: string, summary: string, extra: object) => ({ operationId, summary, tags: ['assay'], ...extra });
const AuditQuery = Type.Object({
  kind: Type.Optional(Type.Union(AUDIT_KINDS.map((k) => Type.Literal(k)))),
  before: Type.Optional(Type.Integer({ minimum: 1, description: 'Entries older than this entry id (the next page).' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_AUDIT_PAGE, description: 'At most this many (default 100).' })),
});

/**
 * The course's audit trail: every change of a grade, a role or an extension, who made it (null:
 * the system or the command line), when, before and after; newest first. Staff and the course's
 * instructors; its checkers and students get 403, everyone else 404.
 *
 * - `GET /courses/{id}/audit/[?kind=grade|role|extension&before=ID&limit=N]`
 */
export function auditRoutes(router: HiveRouter): void {
  router.get(
    '/courses/:id/audit/',
    {
      schema: doc('assay_course_audit', "A course's audit trail (grades, roles, extensions)", { params: Type.Object({ id: Type.Integer() }), querystring: AuditQuery, response: { 200: Type.Array(AuditEntryWire) } }),
    },
    async ({ services, actor, id, query }) => {
      const courseId = id();
      // Refusals (404, 403) come before the query is checked.
      await services.audit.assertMayRead(actor, courseId);
      return services.audit.trail(actor, courseId, validateBody<Static<typeof AuditQuery>>(AuditQuery, query, { form: true }));
    },
  );
}
