import type { Assessment, AssessmentProblem } from '../../../core/assessments/assessments.service.ts';
import { railsBoolean } from '../params.ts';
import type { AutolabContext, AutolabRouter } from '../router.ts';
import { FileAnswer } from '../router.ts';
import { float } from '../wire.ts';
import { required } from './required.ts';

const A = '/courses/:course_name/assessments/:assessment_name';

export const problemWire = (p: AssessmentProblem) => ({ name: p.name, description: p.description, max_score: float(p.max_score), optional: p.optional, starred: p.starred });

/** The `GET …/assessments/{a}` object (also nested in the groups index). */
export async function assessmentWire(ctx: AutolabContext, a: Assessment) {
  const problems = await ctx.services.assessments.catalog.problems(a.id);
  return {
    name: a.name,
    display_name: a.display_name,
    description: a.description,
    start_at: ctx.time(a.window.start_at),
    due_at: ctx.time(a.window.due_at),
    end_at: ctx.time(a.window.end_at),
    updated_at: ctx.time(a.updated_at),
    max_grace_days: a.max_grace_days,
    max_submissions: a.max_submissions,
    disable_handins: a.disable_handins,
    category_name: a.category_name,
    group_size: a.group_size,
    writeup_format: a.writeup_format,
    handout_format: a.handout_format,
    has_scoreboard: a.has_scoreboard,
    has_autograder: a.has_autograder,
    max_unpenalized_submissions: a.max_unpenalized_submissions,
    max_total_score: float(problems.reduce((sum, p) => sum + p.max_score, 0)),
    max_scores: Object.fromEntries(problems.map((p) => [p.name, float(p.max_score)])),
  };
}

async function download(ctx: AutolabContext, which: 'handout' | 'writeup') {
  const file = await ctx.services.assessments.catalog.download(ctx.course, ctx.assessment, which);
  if (file.kind === 'none') return { [which]: 'none' };
  if (file.kind === 'url') return { url: file.url };
  return new FileAnswer(file.filename, file.body);
}

/** Assessments, problems, downloads and group settings. */
export function assessmentRoutes(router: AutolabRouter): void {
  router.route('GET', '/courses/:course_name/assessments', { scope: 'user_courses', within: 'course' }, async (ctx) => {
    const list = await ctx.services.assessments.catalog.listAssessments(ctx.course);
    return list.map((a) => ({
      name: a.name,
      display_name: a.display_name,
      start_at: ctx.time(a.window.start_at),
      due_at: ctx.time(a.window.due_at),
      end_at: ctx.time(a.window.end_at),
      category_name: a.category_name,
    }));
  });

  router.route('GET', A, { scope: 'user_courses', within: 'assessment' }, (ctx) => assessmentWire(ctx, ctx.assessment));

  router.route('GET', `${A}/problems`, { scope: 'user_courses', within: 'assessment' }, async (ctx) =>
    (await ctx.services.assessments.catalog.problems(ctx.assessment.id)).map(problemWire),
  );

  router.route('POST', `${A}/problems`, { scope: 'instructor_all', needs: 'instructor', within: 'assessment' }, async (ctx) => {
    const [name, maxScore] = required(ctx.params, 'name', 'max_score');
    const problem = await ctx.services.assessments.catalog.addProblem(ctx.assessment, {
      name: name,
      max_score: maxScore,
      description: ctx.params.text('description') ?? '',
      optional: railsBoolean(ctx.params.text('optional')),
      starred: railsBoolean(ctx.params.text('starred')),
    });
    ctx.status = 201;
    return problemWire(problem);
  });

  router.route('GET', `${A}/writeup`, { scope: 'user_courses', within: 'assessment' }, (ctx) => download(ctx, 'writeup'));
  router.route('GET', `${A}/handout`, { scope: 'user_courses', within: 'assessment' }, (ctx) => download(ctx, 'handout'));

  router.route('POST', `${A}/set_group_settings`, { scope: 'instructor_all', needs: 'instructor', within: 'assessment' }, async (ctx) => {
    const [size, allow] = required(ctx.params, 'group_size', 'allow_student_assign_group');
    const settings = { group_size: /^\s*\d{1,9}\s*$/.test(size) ? Number(size) : Number.NaN, allow_student_assign_group: allow === 'true' };
    await ctx.services.assessments.catalog.setGroupSettings(ctx.assessment, settings);
    return settings;
  });
}
