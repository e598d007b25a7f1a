import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { ClearanceLevel } from '../../../core/actor.ts';
import type { FieldProblem } from '../../../core/errors.ts';
import { AssayError } from '../../../core/errors.ts';
import type { SelfProfile, User, UserInput } from '../../../core/identity/users.service.ts';
import { displayName } from '../../../core/identity/users.service.ts';
import type { Services } from '../../../core/services.ts';
import type { PathGlance, StudentPath } from '../../../core/queues/path.service.ts';
import { effectiveQueueId } from '../../../core/queues/path.ts';
import { sendAttachment } from '../attachment.ts';
import type { HiveBody } from '../body.ts';
import { readHiveBody } from '../body.ts';
import { filterQuerySchema, parseFilters } from '../filters.ts';
import type { HiveRouter } from '../router.ts';
import { EMPTY } from '../router.ts';
import { DateTime, Enum, IdList, Nullable } from '../schema-helpers.ts';
import { validateBody } from '../validate.ts';

const CLEARANCES = [1, 2, 3, 5] as const;
const GENDERS = ['Male', 'Female', 'NonBinary'] as const;
const STATUSES = ['Present', 'Raised Hand', 'Toilet Request', 'Toilet', 'Personal Talk', 'Work Talk', 'Medical', 'Prayer', 'Room', 'Home'] as const;
const ASSIGNMENT_STATUSES = ['New', 'Work In Progress', 'Redo', 'Submitted', 'AutoChecked', 'Done'] as const;

const RO = Type.Readonly;
const NullableId = () => Nullable(Type.Integer());

const CourseUser = Type.Object(
  {
    id: RO(Type.Integer()),
    display_name: RO(Type.String()),
    clearance: Enum(CLEARANCES),
    avatar_filename: Type.String(),
    gender: Enum(GENDERS),
    number: NullableId(),
    program: NullableId(),
    checkers_brief: Type.String(),
    current_assignment: RO(NullableId()),
    current_assignment_options: RO(IdList()),
    mentor: NullableId(),
    classes: IdList(),
    mentees: IdList(),
    username: Type.String({ maxLength: 150 }),
    first_name: Type.String({ maxLength: 150 }),
    last_name: Type.String({ maxLength: 150 }),
    status: Enum(STATUSES),
    status_date: RO(DateTime()),
    queue: NullableId(),
    disable_queue: Type.Boolean(),
    user_queue: NullableId(),
    disable_user_queue: Type.Boolean(),
    override_queue: NullableId(),
    confirmed: Type.Boolean(),
    teacher: Type.Boolean(),
    hostname: Type.String({ maxLength: 255 }),
  },
);

/** CourseUserRequest without `avatar`, which arrives as a multipart file part and is checked by hand. */
const CourseUserFields = Type.Object({
  clearance: Enum(CLEARANCES),
  avatar_filename: Type.Optional(Type.String()),
  gender: Enum(GENDERS),
  number: Type.Optional(NullableId()),
  program: Type.Optional(NullableId()),
  checkers_brief: Type.Optional(Type.String()),
  mentor: Type.Optional(NullableId()),
  classes: Type.Optional(IdList()),
  mentees: IdList(),
  username: Type.String({ minLength: 1, maxLength: 150 }),
  first_name: Type.Optional(Type.String({ maxLength: 150 })),
  last_name: Type.Optional(Type.String({ maxLength: 150 })),
  status: Enum(STATUSES),
  queue: Type.Optional(NullableId()),
  disable_queue: Type.Optional(Type.Boolean()),
  user_queue: Type.Optional(NullableId()),
  disable_user_queue: Type.Optional(Type.Boolean()),
  override_queue: Type.Optional(NullableId()),
  confirmed: Type.Optional(Type.Boolean()),
  teacher: Type.Optional(Type.Boolean()),
  hostname: Type.Optional(Type.String({ maxLength: 255 })),
  password: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
});
const CourseUserRequest = Type.Composite([CourseUserFields, Type.Object({ avatar: Type.Optional(Nullable(Type.String({ format: 'binary' }))) })]);

const AssignmentOptionHanich = Type.Object({
  id: RO(Type.Integer()),
  exercise: Type.Integer(),
  exercise_name: RO(Type.String()),
  parent_module: RO(Type.Integer()),
  parent_subject: RO(Type.Integer()),
  parent_module_name: RO(Type.String()),
  parent_subject_symbol: RO(Type.String()),
  parent_subject_color: RO(Type.String()),
  assignment_status: Enum(ASSIGNMENT_STATUSES),
});

const Me = Type.Object(
  {
    id: Type.Integer(),
    only_today: Type.Boolean(),
    display_name: Type.String(),
    number: NullableId(),
    program: NullableId(),
    clearance: Enum(CLEARANCES),
    status: Enum(STATUSES),
    current_assignment: NullableId(),
    current_assignment_options: Type.Array(AssignmentOptionHanich),
    confirmed: Type.Boolean(),
    current_assignment__exercise_name: Nullable(Type.String()),
    current_assignment__exercise_id: NullableId(),
    current_assignment__module_id: NullableId(),
    current_assignment__subject_id: NullableId(),
    username: Type.String(),
    program__name: Type.String(),
    schedule_enabled: Type.Boolean(),
    hanich_raise_hand: Type.Boolean(),
    teacher: Type.Boolean(),
  },
);

const PatchedMeRequest = Type.Object({
  status: Type.Optional(Enum(STATUSES)),
  current_assignment: Type.Optional(NullableId()),
  confirmed: Type.Optional(Type.Boolean()),
  password: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  current_password: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  hostname: Type.Optional(Type.String({ maxLength: 255 })),
});

const USER_FILTERS = {
  classes__id__in: 'intList',
  clearance__in: { kind: 'choiceList', choices: CLEARANCES.map(String) },
  id__in: 'intList',
  mentor__id: 'int',
  mentor__id__in: 'intList',
  program__id__in: 'intList',
  program_checker__id__in: 'intList',
} as const;

/** Relation lists a form leaves out mean "none" on create and update, as DRF reads HTML input. */
const FORM_LISTS = ['classes', 'mentees'] as const;

function toCourseUser(u: User, path?: PathGlance) {
  return {
    id: u.id,
    display_name: displayName(u),
    clearance: u.clearance,
    avatar_filename: u.avatar_filename,
    gender: u.gender,
    number: u.number,
    program: u.program_id,
    checkers_brief: u.checkers_brief,
    current_assignment: path ? path.currentAssignmentId : u.current_assignment_id,
    current_assignment_options: path ? path.options : [],
    mentor: u.mentor_id,
    classes: u.classes,
    mentees: u.mentees,
    username: u.username,
    first_name: u.first_name,
    last_name: u.last_name,
    status: u.status,
    status_date: u.status_date,
    queue: u.queue_id,
    disable_queue: u.disable_queue,
    user_queue: u.user_queue_id,
    disable_user_queue: u.disable_user_queue,
    override_queue: u.override_queue_id,
    confirmed: u.confirmed,
    teacher: u.teacher,
    hostname: u.hostname,
  };
}

function toMe({ user, program, currentAssignment: ca }: SelfProfile, path: StudentPath) {
  return {
    id: user.id,
    only_today: program?.hanich_day_only ?? false,
    display_name: displayName(user),
    number: user.number,
    program: user.program_id,
    clearance: user.clearance,
    status: user.status,
    current_assignment: user.current_assignment_id,
    current_assignment_options: path.options.map((o) => ({
      id: o.assignment_id,
      exercise: o.exercise_id,
      exercise_name: o.exercise_name,
      parent_module: o.module_id ?? 0,
      parent_subject: o.subject_id ?? 0,
      parent_module_name: o.module_name ?? '',
      parent_subject_symbol: o.subject_symbol ?? '',
      parent_subject_color: o.subject_color ?? '',
      assignment_status: o.status,
    })),
    confirmed: user.confirmed,
    current_assignment__exercise_name: ca?.exercise_name ?? null,
    current_assignment__exercise_id: ca?.exercise_id ?? null,
    current_assignment__module_id: ca?.module_id ?? null,
    current_assignment__subject_id: ca?.subject_id ?? null,
    username: user.username,
    program__name: program?.name ?? '',
    schedule_enabled: program?.hanich_schedule ?? false,
    hanich_raise_hand: program?.hanich_raise_hand ?? false,
    teacher: user.teacher,
  };
}

const FILE_PROBLEMS = {
  invalid: 'The submitted data was not a file. Check the encoding type on the form.',
  no_name: 'No filename could be determined.',
  empty: 'The submitted file is empty.',
};

/**
 * The `avatar` of a user body: an uploaded file part (stored already), null / "" to remove it,
 * or absent. Any other value is not a file.
 */
function avatarInput(body: HiveBody): { input: Pick<UserInput, 'avatar_blob' | 'avatar_filename'>; problem: FieldProblem | null } {
  const file = body.files.filter((f) => f.field === 'avatar').at(-1);
  const problem = (code: keyof typeof FILE_PROBLEMS) => ({ input: {}, problem: { field: 'avatar', code, message: FILE_PROBLEMS[code] } });
  if (file) {
    if (file.filename === '') return problem('no_name');
    if (file.blob.size === 0) return problem('empty');
    return { input: { avatar_blob: file.blob.sha256, avatar_filename: file.filename }, problem: null };
  }
  if (!('avatar' in body.data)) return { input: {}, problem: null };
  const value = body.data.avatar;
  if (value === null || value === '') return { input: { avatar_blob: null, avatar_filename: '' }, problem: null };
  return problem('invalid');
}

type CourseUserBody = Omit<UserInput, 'clearance'> & { clearance?: ClearanceLevel };

async function readUserBody(request: FastifyRequest, services: Services, partial: boolean): Promise<CourseUserBody> {
  const body = await readHiveBody(request, services);
  if (body.form && !partial) for (const key of FORM_LISTS) body.data[key] ??= [];
  const avatar = avatarInput(body);
  let input: CourseUserBody;
  try {
    input = validateBody<CourseUserBody>(CourseUserFields, body.data, { form: body.form, partial });
  } catch (err) {
    // Report the avatar's problem together with the other fields', as DRF does.
    if (avatar.problem && err instanceof AssayError && err.details.fields) throw AssayError.invalid([...err.details.fields, avatar.problem]);
    throw err;
  }
  if (avatar.problem) throw AssayError.invalid([avatar.problem]);
  // An explicit avatar_filename wins over the uploaded part's name.
  return { ...avatar.input, ...input };
}

const doc = (operationId: string, extra: object = {}) => ({ operationId, tags: ['management'], ...extra });

/** A user following a queue, with their path brought up to date (it moves on as it is read). */
async function withPath(services: Services, u: User): Promise<[User, PathGlance | undefined]> {
  if (effectiveQueueId(u) === null) return [u, undefined];
  const path = await services.paths.sync(u.id);
  return [u, { currentAssignmentId: path.currentAssignmentId, options: path.options.map((o) => o.assignment_id) }];
}

/** The caller's `me`, after their path is brought up to date (that may change the current assignment). */
async function me(services: Services, actor: Parameters<Services['users']['profile']>[0]) {
  const path = await services.paths.sync(actor.id);
  return toMe(await services.users.profile(actor), path);
}
const BASE = '/management/users/';

/** `/management/users/`: accounts, avatars, check-in and the caller's own profile (`me`). */
export function userRoutes(router: HiveRouter): void {
  router.get(
    BASE,
    { schema: doc('management_users_list', { querystring: filterQuerySchema(USER_FILTERS), response: { 200: Type.Array(CourseUser) } }) },
    async ({ services, actor, query }) => {
      const f = parseFilters(USER_FILTERS, query);
      const users = await services.users.list(actor, {
        ids: f.id__in,
        clearances: f.clearance__in?.map(Number),
        classIds: f.classes__id__in,
        mentorId: f.mentor__id,
        mentorIds: f.mentor__id__in,
        programIds: f.program__id__in,
        programCheckerIds: f.program_checker__id__in,
      });
      // A list only glances at the paths (no writes, one walk per queue); a student's own read updates theirs.
      const paths = await services.paths.glance(users);
      return users.map((u) => toCourseUser(u, paths.get(u.id)));
    },
  );

  router.post(
    BASE,
    { action: 'users.create', schema: doc('management_users_create', { body: CourseUserRequest, response: { 201: CourseUser } }) },
    async ({ request, services, actor }) => {
      const input = await readUserBody(request, services, false);
      return toCourseUser(await services.users.create(actor, input as UserInput & { username: string; clearance: ClearanceLevel }));
    },
  );

  // Static segments are matched before `:id`, so these never reach the id routes.
  router.put(
    `${BASE}check_in/`,
    { schema: doc('management_users_check_in_update', { response: { 200: Type.Object({}, { additionalProperties: true }) } }) },
    async ({ services, actor }) => {
      await services.users.checkIn(actor);
      return {};
    },
  );

  router.get(`${BASE}me/`, { schema: doc('management_users_me_retrieve', { response: { 200: Me } }) }, async ({ services, actor }) =>
    me(services, actor),
  );

  router.patch(
    `${BASE}me/`,
    { schema: doc('management_users_me_partial_update', { body: PatchedMeRequest, response: { 200: Me } }) },
    async ({ request, services, actor }) => {
      const body = await readHiveBody(request, services);
      const input = validateBody<Parameters<Services['users']['updateSelf']>[1]>(PatchedMeRequest, body.data, { form: body.form, partial: true });
      await services.users.updateSelf(actor, input);
      return me(services, actor);
    },
  );

  router.get(`${BASE}:id/`, { schema: doc('management_users_retrieve', { response: { 200: CourseUser } }) }, async ({ services, actor, id }) =>
    toCourseUser(...(await withPath(services, await services.users.get(actor, id())))),
  );

  for (const [method, partial] of [['put', false], ['patch', true]] as const) {
    router[method](
      `${BASE}:id/`,
      {
        action: 'users.update',
        schema: doc(partial ? 'management_users_partial_update' : 'management_users_update', {
          body: partial ? Type.Partial(CourseUserRequest) : CourseUserRequest,
          response: { 200: CourseUser },
        }),
      },
      async ({ request, services, actor, id }) => {
        const userId = id();
        await services.users.assertManageable(actor, userId);
        const input = await readUserBody(request, services, partial);
        return toCourseUser(await services.users.update(actor, userId, input as UserInput));
      },
    );
  }

  router.delete(`${BASE}:id/`, { action: 'users.delete', schema: doc('management_users_destroy') }, async ({ services, actor, id }) => {
    await services.users.delete(actor, id());
    return EMPTY;
  });

  router.get(
    `${BASE}:id/avatar/`,
    { schema: doc('management_users_avatar_retrieve', { produces: ['application/octet-stream'] }) },
    async ({ services, actor, id, reply }) => {
      const avatar = await services.users.avatar(actor, id());
      return sendAttachment(reply, await services.files.read(avatar.blob), avatar.filename || 'avatar', 'application/octet-stream');
    },
  );
}
