import { Type } from '@sinclair/typebox';
import type { SeatingInput } from '../../../core/classes/seating.service.ts';
import { crudRoutes } from '../crud.ts';
import type { HiveRouter } from '../router.ts';
import { Nullable } from '../schema-helpers.ts';

/** The range of an `integer` column on both engines. */
const Int32 = () => Type.Integer({ minimum: -2147483648, maximum: 2147483647 });

const Seating = Type.Object({
  id: Type.Readonly(Type.Integer()),
  hostname: Nullable(Type.String({ maxLength: 255 })),
  hanich: Nullable(Type.Integer()),
  classroom: Type.Integer(),
  x: Type.Integer(),
  y: Type.Integer(),
});

const SeatingRequest = Type.Object({
  hostname: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
  hanich: Type.Optional(Nullable(Type.Integer())),
  classroom: Type.Integer(),
  x: Int32(),
  y: Int32(),
});

/** `/management/seating/`: workstation positions of rooms and who sits there. Checkers read their programs' rooms, staff write. */
export function seatingRoutes(router: HiveRouter): void {
  crudRoutes(router, {
    path: '/management/seating/',
    operation: 'management_seating',
    tag: 'management',
    response: Seating,
    request: SeatingRequest,
    filters: { classroom__id: 'int' },
    writeAction: 'seating.write',
    list: ({ services, actor }, f) => services.seating.list(actor, { classroomId: f.classroom__id }),
    get: ({ services, actor }, id) => services.seating.get(actor, id),
    authorize: async ({ services, actor }, id) => void (await services.seating.getForWrite(actor, id)),
    create: ({ services, actor }, input: SeatingInput & { classroom: number; x: number; y: number }) => services.seating.create(actor, input),
    update: ({ services, actor }, id, input) => services.seating.update(actor, id, input),
    delete: ({ services, actor }, id) => services.seating.delete(actor, id),
  });
}
