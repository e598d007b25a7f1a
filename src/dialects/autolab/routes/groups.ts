import { refusals } from '../../../core/assessments/access.ts';
import { badParameter } from '../errors.ts';
import type { Group, NewGroup } from '../../../core/assessments/groups.service.ts';
import { jsonParam, railsBoolean } from '../params.ts';
import type { AutolabContext, AutolabRouter } from '../router.ts';
import { assessmentWire } from './assessments.ts';

const A = '/courses/:course_name/assessments/:assessment_name';
const INSTRUCTOR = { scope: 'instructor_all', needs: 'instructor', within: 'assessment' } as const;

function groupWire(ctx: AutolabContext, g: Group) {
  return {
    id: g.id,
    name: g.name,
    created_at: ctx.time(g.created_at),
    updated_at: ctx.time(g.updated_at),
    ...(g.members ? { members: g.members.map((m) => ({ ...m, school: null, major: null, year: null })) } : {}),
  };
}

const groupId = (raw: string) => (raw.endsWith('.json') && /^\d+\.json$/.test(raw) ? raw.slice(0, -5) : raw);

/** `groups`: a list of `{name?, group_members: [email…]}` (JSON body, or JSON text in a form). */
function newGroups(raw: unknown): NewGroup[] {
  const value = jsonParam(raw);
  const bad = () => badParameter("Parameter 'groups' must be a list of groups");
  if (!Array.isArray(value)) throw bad();
  return value.map((g: unknown) => {
    if (typeof g !== 'object' || g === null) throw bad();
    const { name, group_members } = g as { name?: unknown; group_members?: unknown };
    if (!Array.isArray(group_members) || group_members.some((e) => typeof e !== 'string')) throw bad();
    if (name !== undefined && name !== null && typeof name !== 'string') throw bad();
    return { ...(typeof name === 'string' ? { name } : {}), group_members: group_members as string[] };
  });
}

/** An assessment's groups (instructors). */
export function groupRoutes(router: AutolabRouter): void {
  router.route('GET', `${A}/groups`, INSTRUCTOR, async (ctx) => {
    const groups = await ctx.services.assessments.groups.list(ctx.assessment, railsBoolean(ctx.params.text('show_members')));
    return { group_size: ctx.assessment.group_size, groups: groups.map((g) => groupWire(ctx, g)), assessment: await assessmentWire(ctx, ctx.assessment) };
  });

  router.route('GET', `${A}/groups/:id`, INSTRUCTOR, async (ctx) => groupWire(ctx, await ctx.services.assessments.groups.show(ctx.assessment, groupId(ctx.path.id))));

  router.route('POST', `${A}/groups`, INSTRUCTOR, async (ctx) => {
    if (!ctx.params.has('groups')) throw refusals.missing('groups');
    const groups = await ctx.services.assessments.groups.create(ctx.course, ctx.assessment, newGroups(ctx.params.raw('groups')));
    return groups.map((g) => groupWire(ctx, g));
  });

  router.route('DELETE', `${A}/groups/:id`, INSTRUCTOR, async (ctx) => {
    const id = await ctx.services.assessments.groups.destroy(ctx.assessment, groupId(ctx.path.id));
    return { message: `Group ${id} successfully deleted` };
  });
}
