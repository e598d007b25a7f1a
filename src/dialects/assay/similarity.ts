import type { Static } from '@sinclair/typebox';
import { Type } from '@sinclair/typebox';
import type { HiveRouter } from '../hive/router.ts';
import { DateTime, Enum, Nullable } from '../hive/schema-helpers.ts';
import { validateBody } from '../hive/validate.ts';
import { ErrorEnvelope } from './checker-wire.ts';

const doc = <Extra extends object>(operationId: string, summary: string, extra: Extra) => ({ operationId, summary, tags: ['assay'], ...extra });
const exerciseParams = Type.Object({ id: Type.Integer({ description: 'The exercise.' }) });
const reportParams = Type.Object({ id: Type.Integer({ description: 'The report.' }) });
const pairParams = Type.Object({ id: Type.Integer({ description: 'The report.' }), rank: Type.Integer({ description: 'The pair’s rank, 1 for the most similar.' }) });
const refused = { 403: ErrorEnvelope, 404: ErrorEnvelope };

const ReportWire = Type.Object({
  id: Type.Integer(),
  exercise_id: Type.Integer(),
  status: Enum(['running', 'done', 'failed'] as const),
  phase: Enum(['reading', 'fingerprinting', 'comparing', 'saving', 'done'] as const, { description: 'What a running report does now: reading the submissions, fingerprinting them, comparing every two, saving the pairs.' }),
  done: Type.Integer({ description: 'Steps of the phase done.' }),
  total: Type.Integer({ description: 'Steps of the phase.' }),
  submissions: Type.Integer({ description: 'Submissions compared (the latest of each assignment with a file in the report’s language).' }),
  pairs: Type.Integer({ description: 'Pairs kept, the most similar (at most 500).' }),
  language: Nullable(Type.String({ description: 'The language the files were parsed as, by their extensions.' })),
  error: Nullable(Type.String()),
  created_at: DateTime(),
  finished_at: Nullable(DateTime()),
});

const OwnerWire = {
  submission: Type.Integer(),
  user: Type.Object({ id: Type.Integer(), username: Type.String(), first_name: Type.String(), last_name: Type.String() }),
};
const PairWire = Type.Object({
  rank: Type.Integer(),
  similarity: Type.Number({ description: 'Shared fingerprints over all fingerprints of the two (0 to 1), template code left out.' }),
  longest: Type.Integer({ description: 'The longest run of shared fingerprints.' }),
  overlap: Type.Integer({ description: 'Shared fingerprints in all.' }),
  left: Type.Object(OwnerWire),
  right: Type.Object(OwnerWire),
});
const SpanWire = Type.Array(Type.Integer(), { minItems: 4, maxItems: 4, description: '[startRow, startCol, endRow, endCol], from 0, in the side’s `text`.' });
const SideWire = Type.Object({
  ...OwnerWire,
  text: Type.String({ description: 'The submission’s files of the report’s language, joined in path order: what was compared.' }),
  files: Type.Array(Type.Object({ path: Type.String(), first_line: Type.Integer({ description: 'Its first line in `text` (from 1).' }), lines: Type.Integer() })),
});
const PairDetailWire = Type.Object({
  rank: Type.Integer(),
  similarity: Type.Number(),
  longest: Type.Integer(),
  overlap: Type.Integer(),
  left: SideWire,
  right: SideWire,
  fragments: Type.Array(Type.Object({ left: SpanWire, right: SpanWire }), { description: 'The matching fragments, in the left text’s order.' }),
});

const PairsQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
});

/**
 * Similarity reports of an exercise, computed by Dolos (`@dodona/dolos-lib`) in the background
 * (see src/core/similarity/). The course's checkers, instructors, staff and admins read them; the
 * instructors, staff and admins start them. Who cannot see the exercise is told it does not exist
 * (404); a student of the course, or a checker starting one, is refused by the core (403).
 *
 * - `POST /exercises/{id}/similarity/`: starts a report (202, running); 400 `report_running` while
 *   one runs, 429 when this server computes as many as it allows.
 * - `GET /exercises/{id}/similarity/`: the exercise's newest report (`{report: null}` before the first).
 * - `GET /similarity/{id}/`: a report's state and progress.
 * - `GET /similarity/{id}/pairs/?limit=&offset=`: its pairs, the most similar first.
 * - `GET /similarity/{id}/pairs/{rank}/`: one pair side by side, with the matching fragments.
 */
export function similarityRoutes(router: HiveRouter): void {
  router.post(
    '/exercises/:id/similarity/',
    {
      status: 202,
      schema: doc('assay_similarity_start', 'Start a similarity report over the latest submissions of an exercise (instructors)', {
        params: exerciseParams,
        response: { 202: ReportWire, 400: ErrorEnvelope, ...refused, 429: ErrorEnvelope },
      }),
    },
    async ({ services, actor, params }) => services.similarity.start(actor, params.id),
  );
  router.get(
    '/exercises/:id/similarity/',
    { schema: doc('assay_similarity_latest', 'The exercise’s newest similarity report (course staff)', { params: exerciseParams, response: { 200: Type.Object({ report: Nullable(ReportWire) }), ...refused } }) },
    async ({ services, actor, params }) => ({ report: await services.similarity.latest(actor, params.id) }),
  );
  router.get(
    '/similarity/:id/',
    { schema: doc('assay_similarity_retrieve', 'A similarity report’s state and progress (course staff)', { params: reportParams, response: { 200: ReportWire, ...refused } }) },
    async ({ services, actor, params }) => services.similarity.get(actor, params.id),
  );
  router.get(
    '/similarity/:id/pairs/',
    {
      schema: doc('assay_similarity_pairs', 'A similarity report’s pairs, the most similar first (course staff)', {
        params: reportParams,
        querystring: PairsQuery,
        response: { 200: Type.Object({ report: ReportWire, pairs: Type.Array(PairWire) }), 400: ErrorEnvelope, ...refused },
      }),
    },
    async ({ services, actor, params, query }) => {
      const page = validateBody<Static<typeof PairsQuery>>(PairsQuery, query, { form: true });
      return services.similarity.pairs(actor, params.id, { limit: page.limit ?? 100, offset: page.offset ?? 0 });
    },
  );
  router.get(
    '/similarity/:id/pairs/:rank/',
    { schema: doc('assay_similarity_pair', 'One pair of a similarity report side by side, with the matching fragments (course staff)', { params: pairParams, response: { 200: PairDetailWire, ...refused } }) },
    async ({ services, actor, params }) => services.similarity.pair(actor, params.id, params.rank),
  );
}
