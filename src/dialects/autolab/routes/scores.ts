import { refusals } from '../../../core/assessments/access.ts';
import { badParameter } from '../errors.ts';
import type { VersionScores } from '../../../core/assessments/scores.service.ts';
import { jsonParam, railsBoolean } from '../params.ts';
import type { AutolabRouter } from '../router.ts';
import { float } from '../wire.ts';

const A = '/courses/:course_name/assessments/:assessment_name';
const INSTRUCTOR = { scope: 'instructor_all', needs: 'instructor', within: 'assessment' } as const;

const floats = (scores: Record<string, number | null>) => Object.fromEntries(Object.entries(scores).map(([k, v]) => [k, float(v)]));
const versionsWire = (v: VersionScores) => Object.fromEntries(Object.entries(v).map(([version, scores]) => [version, floats(scores)]));

/** `problems`: JSON text (what upstream takes), or an object in a JSON body. */
function problemScores(raw: unknown): Record<string, unknown> {
  const value = jsonParam(raw);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badParameter("Parameter 'problems' must be a JSON object");
  return value as Record<string, unknown>;
}

/** Instructors' view and update of scores. */
export function scoreRoutes(router: AutolabRouter): void {
  router.route('GET', `${A}/scores`, INSTRUCTOR, async (ctx) => {
    const all = await ctx.services.assessments.scores.index(ctx.assessment);
    return Object.fromEntries(Object.entries(all).map(([email, v]) => [email, versionsWire(v)]));
  });

  router.route('GET', `${A}/scores/:email`, INSTRUCTOR, async (ctx) => versionsWire(await ctx.services.assessments.scores.ofUser(ctx.course, ctx.assessment, ctx.path.email)));

  router.route('PUT', `${A}/scores/:email/update_latest`, INSTRUCTOR, async (ctx) => {
    if (!ctx.params.has('problems')) throw refusals.missing('problems');
    const scores = problemScores(ctx.params.raw('problems'));
    const withGroup = railsBoolean(ctx.params.text('update_group_scores'));
    const updated = await ctx.services.assessments.scores.updateLatest(ctx.course, ctx.assessment, ctx.path.email, scores, withGroup);
    return Object.fromEntries(Object.entries(updated).map(([email, s]) => [email, floats(s)]));
  });
}
