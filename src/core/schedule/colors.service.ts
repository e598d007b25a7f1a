import type { Db } from '../../db/database.ts';
import type { RowOf } from '../../db/types.ts';
import type { Actor } from '../actor.ts';
import { Clearance } from '../actor.ts';
import { compact } from '../compact.ts';
import { AssayError } from '../errors.ts';

export type EventColor = RowOf<'event_colors'>;
export interface EventColorInput {
  name?: string;
  color?: string;
}

/** Named colors of timetable events: everyone reads, staff write. */
export class EventColorsService {
  constructor(private readonly db: Db) {}

  list(): Promise<EventColor[]> {
    return this.db.selectFrom('event_colors').selectAll().orderBy('id').execute();
  }

  async get(id: number): Promise<EventColor> {
    const row = await this.db.selectFrom('event_colors').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw AssayError.notFound();
    return row;
  }

  private assertStaff(actor: Actor): void {
    if (actor.clearance < Clearance.staff) throw AssayError.forbidden();
  }

  async create(actor: Actor, input: Required<EventColorInput>): Promise<EventColor> {
    this.assertStaff(actor);
    return this.db.insertInto('event_colors').values({ name: input.name, color: input.color }).returningAll().executeTakeFirstOrThrow();
  }

  async update(actor: Actor, id: number, input: EventColorInput): Promise<EventColor> {
    await this.get(id);
    this.assertStaff(actor);
    const patch = compact({ name: input.name, color: input.color });
    if (Object.keys(patch).length > 0) await this.db.updateTable('event_colors').set(patch).where('id', '=', id).execute();
    return this.get(id);
  }

  async delete(actor: Actor, id: number): Promise<void> {
    await this.get(id);
    this.assertStaff(actor);
    await this.db.deleteFrom('event_colors').where('id', '=', id).execute();
  }
}
