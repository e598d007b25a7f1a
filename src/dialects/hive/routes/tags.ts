import { Type } from '@sinclair/typebox';
import type { TagInput } from '../../../core/courses/tags.service.ts';
import { crudRoutes } from '../crud.ts';
import type { HiveRouter } from '../router.ts';

const Tag = Type.Object({ id: Type.Readonly(Type.Integer()), name: Type.String({ maxLength: 100 }), color: Type.String({ maxLength: 7 }) });
const TagRequest = Type.Object({ name: Type.String({ maxLength: 100, minLength: 1 }), color: Type.String({ maxLength: 7 }) });

/** `/tags/`: everyone reads, staff write. */
export function tagRoutes(router: HiveRouter): void {
  crudRoutes(router, {
    path: '/tags/',
    operation: 'tags',
    tag: 'tags',
    response: Tag,
    request: TagRequest,
    filters: {},
    writeAction: 'tags.write',
    list: ({ services }) => services.tags.list(),
    get: ({ services }, id) => services.tags.get(id),
    create: ({ services, actor }, input: Required<TagInput>) => services.tags.create(actor, input),
    update: ({ services, actor }, id, input) => services.tags.update(actor, id, input),
    delete: ({ services, actor }, id) => services.tags.delete(actor, id),
  });
}
