import { Type } from '@sinclair/typebox';
import type { Registration } from '../../../core/identity/registration.service.ts';
import { readHiveBody } from '../body.ts';
import type { Services } from '../../../core/services.ts';
import type { HiveRouter } from '../router.ts';
import { Enum } from '../schema-helpers.ts';
import { validateBody } from '../validate.ts';

const GENDERS = ['Male', 'Female', 'NonBinary'] as const;

const RegisterCourseUser = Type.Object({
  first_name: Type.String({ maxLength: 150 }),
  last_name: Type.String({ maxLength: 150 }),
  username: Type.String({ maxLength: 150 }),
  gender: Enum(GENDERS),
  password: Type.String({ maxLength: 128 }),
});

const RegisterCourseUserRequest = Type.Object({
  first_name: Type.String({ minLength: 1, maxLength: 150 }),
  last_name: Type.String({ minLength: 1, maxLength: 150 }),
  username: Type.String({ minLength: 1, maxLength: 150 }),
  gender: Enum(GENDERS),
  password: Type.String({ minLength: 1, maxLength: 128 }),
  secret: Type.String({ minLength: 1, maxLength: 256 }),
});

/**
 * `POST /management/register/`: checker self-registration with the staff-issued secret. Public,
 * rate limited per client address; off (403) unless ASSAY_REGISTRATION_SECRET is set. The answer
 * echoes the account without the secret, and `password` is always "" (hive.md §9 #19).
 */
export function registerRoutes(router: HiveRouter, services: Services): void {
  router.post(
    '/management/register/',
    {
      public: true,
      rateLimit: { max: services.config.registrationRatePerMinute, timeWindow: 60_000 },
      schema: doc({ body: RegisterCourseUserRequest, response: { 201: RegisterCourseUser } }),
    },
    async ({ request, services }) => {
      services.registration.assertOpen();
      const body = await readHiveBody(request, services);
      const input = validateBody<Registration>(RegisterCourseUserRequest, body.data, { form: body.form });
      await services.registration.register(input);
      return { first_name: input.first_name, last_name: input.last_name, username: input.username, gender: input.gender, password: '' };
    },
  );
}

const doc = (extra: object) => ({ operationId: 'management_register_create', summary: 'Special View for registration', tags: ['management'], security: [{ jwtAuth: [] }, {}], ...extra });
