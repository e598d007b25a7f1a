import { Type } from '@sinclair/typebox';
import { Clearance } from '../../../core/actor.ts';
import type { TagInput } from '../../../core/courses/tags.service.ts';
import { readHiveBody } from '../body.ts';
import type { HiveRouter } from '../router.ts';
import { EMPTY } from '../router.ts';
import { validateBody } from '../validate.ts';

const Tag = Type.Object({ id: Type.Readonly(Type.Integer()), name: Type.String({ maxLength: 100 }), color: Type.String({ maxLength: 7 }) }, { $id: 'Tag' });
const TagRequest = Type.Object({ name: Type.String({ maxLength: 100, minLength: 1 }), color: Type.String({ maxLength: 7 }) });

const doc = (operationId: string, extra: object = {}) => ({ operationId, tags: ['tags'], ...extra });

/** `/tags/`: everyone reads, staff write. */
export function tagRoutes(router: HiveRouter): void {
  router.get('/tags/', { schema: doc('tags_list', { response: { 200: Type.Array(Tag) } }) }, async ({ services }) => services.tags.list());

  router.post('/tags/', { minClearance: Clearance.staff, schema: doc('tags_create', { body: TagRequest, response: { 201: Tag } }) }, async ({ request, services, actor }) => {
    const body = await readHiveBody(request, services);
    return services.tags.create(actor, validateBody<Required<TagInput>>(TagRequest, body.data, { form: body.form }));
  });

  router.get('/tags/:id/', { schema: doc('tags_retrieve', { response: { 200: Tag } }) }, async ({ services, id }) => services.tags.get(id()));

  for (const [method, partial] of [['put', false], ['patch', true]] as const) {
    router[method](
      '/tags/:id/',
      { minClearance: Clearance.staff, schema: doc(partial ? 'tags_partial_update' : 'tags_update', { body: TagRequest, response: { 200: Tag } }) },
      async ({ request, services, actor, id }) => {
        const tagId = id();
        await services.tags.get(tagId);
        const body = await readHiveBody(request, services);
        return services.tags.update(actor, tagId, validateBody<TagInput>(TagRequest, body.data, { form: body.form, partial }));
      },
    );
  }

  router.delete('/tags/:id/', { minClearance: Clearance.staff, schema: doc('tags_destroy') }, async ({ services, actor, id }) => {
    await services.tags.delete(actor, id());
    return EMPTY;
  });
}
