import { Type } from '@sinclair/typebox';
import type { Course, CourseInput } from '../../../core/courses/programs.service.ts';
import type { Module } from '../../../core/courses/modules.service.ts';
import type { Subject } from '../../../core/courses/subjects.service.ts';
import { crudRoutes } from '../crud.ts';
import type { HiveRouter } from '../router.ts';
import { Enum, Nullable } from '../schema-helpers.ts';

const SyncStatus = Enum(['Creating', 'Deleting', 'Normal', 'Error'] as const);
const ro = Type.Readonly;

const programFlags = {
  auto_toilet: Type.Boolean(),
  hanich_raise_hand: Type.Boolean(),
  auto_schedule: Type.Boolean(),
  auto_room: Type.Boolean(),
  hanich_day_only: Type.Boolean(),
  hanich_work_name: Type.Boolean(),
  auto_toilet_count: Type.Integer({ minimum: 0 }),
  hanich_classes_only: Type.Boolean(),
  hanich_schedule: Type.Boolean(),
};

const ProgramRequest = Type.Object({
  name: Type.String({ maxLength: 100, minLength: 1 }),
  checker: Type.Integer(),
  default_class: Type.Optional(Nullable(Type.Integer())),
  ...Type.Partial(Type.Object(programFlags)).properties,
});
const Program = Type.Object({
  id: ro(Type.Integer()),
  name: Type.String({ maxLength: 100 }),
  checker: Type.Integer(),
  default_class: Nullable(Type.Integer()),
  ...programFlags,
  sync_status: ro(SyncStatus),
  sync_message: ro(Nullable(Type.String())),
});

const SubjectRequest = Type.Object({
  symbol: Type.String({ maxLength: 100, minLength: 1 }),
  parent_program: Type.Integer(),
  color: Type.String({ maxLength: 7 }),
  name: Type.String({ maxLength: 100, minLength: 1 }),
  segel_brief: Type.Optional(Type.String()),
});
const SubjectWire = Type.Object({
  id: ro(Type.Integer()),
  symbol: Type.String(),
  parent_program: Type.Integer(),
  color: Type.String(),
  name: Type.String(),
  parent_program_name: ro(Type.String()),
  sync_status: ro(SyncStatus),
  sync_message: ro(Nullable(Type.String())),
  segel_path: ro(Type.String()),
  segel_brief: Type.String(),
});

const ModuleRequest = Type.Object({
  name: Type.String({ maxLength: 100, minLength: 1 }),
  parent_subject: Type.Integer(),
  order: Type.String({ maxLength: 100 }),
});
export const ModuleWire = Type.Object({
  id: ro(Type.Integer()),
  name: Type.String(),
  parent_subject: Type.Integer(),
  order: Type.String(),
  sync_status: ro(SyncStatus),
  sync_message: ro(Nullable(Type.String())),
  parent_program_name: ro(Type.String()),
  parent_subject_name: ro(Type.String()),
  parent_subject_symbol: ro(Type.String()),
  segel_path: ro(Type.String()),
});

/** Assay keeps course content itself, so nothing is ever being synced. */
const synced = { sync_status: 'Normal' as const, sync_message: null };

const renderProgram = (c: Course) => ({
  id: c.id,
  name: c.name,
  checker: c.checker_id,
  default_class: c.default_class_id,
  auto_toilet: c.auto_toilet,
  hanich_raise_hand: c.hanich_raise_hand,
  auto_schedule: c.auto_schedule,
  auto_room: c.auto_room,
  hanich_day_only: c.hanich_day_only,
  hanich_work_name: c.hanich_work_name,
  auto_toilet_count: c.auto_toilet_count,
  hanich_classes_only: c.hanich_classes_only,
  hanich_schedule: c.hanich_schedule,
  ...synced,
});

const renderSubject = (s: Subject) => ({
  id: s.id,
  symbol: s.symbol,
  parent_program: s.course_id,
  color: s.color,
  name: s.name,
  parent_program_name: s.course_name,
  ...synced,
  segel_path: `${s.course_name}/${s.symbol}`,
  segel_brief: s.segel_brief,
});

export const renderModule = (m: Module) => ({
  id: m.id,
  name: m.name,
  parent_subject: m.subject_id,
  order: m.order,
  ...synced,
  parent_program_name: m.course_name,
  parent_subject_name: m.subject_name,
  parent_subject_symbol: m.subject_symbol,
  segel_path: `${m.course_name}/${m.subject_symbol}/${m.name}`,
});

type ProgramWireInput = Omit<CourseInput, 'checker_id' | 'default_class_id'> & { name: string; checker?: number; default_class?: number | null };
const programInput = ({ checker, default_class, ...rest }: Partial<ProgramWireInput>): CourseInput => ({
  ...rest,
  ...(checker !== undefined ? { checker_id: checker } : {}),
  ...(default_class !== undefined ? { default_class_id: default_class } : {}),
});

/** `/course/programs/`, `/course/subjects/`, `/course/modules/`: the course tree above exercises. */
export function courseTreeRoutes(router: HiveRouter): void {
  crudRoutes(router, {
    path: '/course/programs/',
    operation: 'course_programs',
    tag: 'course',
    response: Program,
    request: ProgramRequest,
    filters: { id__in: 'intList' },
    writeAction: 'programs.write',
    list: async ({ services, actor }, f) => (await services.programs.list(actor, { ids: f.id__in })).map(renderProgram),
    get: async ({ services, actor }, id) => renderProgram(await services.programs.get(actor, id)),
    authorize: ({ services, actor }, id) => services.programs.assertManage(actor, id),
    create: async ({ services, actor }, input: ProgramWireInput) => renderProgram(await services.programs.create(actor, { ...programInput(input), name: input.name })),
    update: async ({ services, actor }, id, input) => renderProgram(await services.programs.update(actor, id, programInput(input))),
    delete: ({ services, actor }, id) => services.programs.delete(actor, id),
  });

  type SubjectWireInput = { symbol: string; parent_program: number; color: string; name: string; segel_brief?: string };
  const subjectInput = ({ parent_program, ...rest }: Partial<SubjectWireInput>) => ({ ...rest, ...(parent_program !== undefined ? { course_id: parent_program } : {}) });
  crudRoutes(router, {
    path: '/course/subjects/',
    operation: 'course_subjects',
    tag: 'course',
    response: SubjectWire,
    request: SubjectRequest,
    filters: { parent_program__id__in: 'intList' },
    writeAction: 'subjects.write',
    list: async ({ services, actor }, f) => (await services.subjects.list(actor, { courseIds: f.parent_program__id__in })).map(renderSubject),
    get: async ({ services, actor }, id) => renderSubject(await services.subjects.get(actor, id)),
    authorize: ({ services, actor }, id) => services.subjects.assertManage(actor, id),
    create: async ({ services, actor }, input: SubjectWireInput) =>
      renderSubject(await services.subjects.create(actor, { symbol: input.symbol, name: input.name, color: input.color, segel_brief: input.segel_brief, course_id: input.parent_program })),
    update: async ({ services, actor }, id, input) => renderSubject(await services.subjects.update(actor, id, subjectInput(input))),
    delete: ({ services, actor }, id) => services.subjects.delete(actor, id),
  });

  type ModuleWireInput = { name: string; parent_subject: number; order: string };
  const moduleInput = ({ parent_subject, ...rest }: Partial<ModuleWireInput>) => ({ ...rest, ...(parent_subject !== undefined ? { subject_id: parent_subject } : {}) });
  crudRoutes(router, {
    path: '/course/modules/',
    operation: 'course_modules',
    tag: 'course',
    response: ModuleWire,
    request: ModuleRequest,
    filters: { parent_subject__id: 'int', parent_subject__parent_program__id__in: 'intList' },
    writeAction: 'modules.write',
    list: async ({ services, actor }, f) =>
      (await services.modules.list(actor, { subjectId: f.parent_subject__id, courseIds: f.parent_subject__parent_program__id__in })).map(renderModule),
    get: async ({ services, actor }, id) => renderModule(await services.modules.get(actor, id)),
    authorize: ({ services, actor }, id) => services.modules.assertManage(actor, id),
    create: async ({ services, actor }, input: ModuleWireInput) =>
      renderModule(await services.modules.create(actor, { name: input.name, order: input.order, subject_id: input.parent_subject })),
    update: async ({ services, actor }, id, input) => renderModule(await services.modules.update(actor, id, moduleInput(input))),
    delete: ({ services, actor }, id) => services.modules.delete(actor, id),
  });
}
