import type { ShownScore } from '../../../core/assessments/scores.service.ts';
import type { AutolabRouter } from '../router.ts';
import { float } from '../wire.ts';
import { required } from './required.ts';

const A = '/courses/:course_name/assessments/:assessment_name';

/** A score as the CLI reads it: a float, or the string `"unreleased"`. */
export const scoreWire = (s: ShownScore) => (s === 'unreleased' ? s : float(s));

/** Handing in, and the caller's own submissions and feedback. */
export function submissionRoutes(router: AutolabRouter): void {
  router.route('POST', `${A}/submit`, { scope: 'user_submit', within: 'assessment', submit: true }, async (ctx) => {
    const { params } = ctx;
    const file = params.files.find((f) => f.field === 'submission[file]') ?? null;
    const submissionParam = params.overLimit || params.names().some((n) => n === 'submission' || n.startsWith('submission['));
    return ctx.services.assessments.handins.submit(ctx.course, ctx.assessment, { submissionParam, file: file?.blob ?? null, overLimit: params.overLimit });
  });

  router.route('GET', `${A}/submissions`, { scope: 'user_scores', within: 'assessment' }, async (ctx) => {
    const own = await ctx.services.assessments.scores.listOwn(ctx.course, ctx.assessment);
    return own.map((s) => ({
      version: s.version,
      filename: s.filename,
      created_at: ctx.time(s.created_at),
      scores: Object.fromEntries(Object.entries(s.scores).map(([name, score]) => [name, scoreWire(score)])),
    }));
  });

  router.route('GET', `${A}/submissions/:version/feedback`, { scope: 'user_scores', within: 'assessment' }, async (ctx) => {
    const [problem] = required(ctx.params, 'problem');
    return { feedback: await ctx.services.assessments.scores.feedback(ctx.course, ctx.assessment, ctx.path.version, problem) };
  });
}
