import type { Db } from '../../db/database.ts';
import type { RowOf } from '../../db/types.ts';
import type { Actor } from '../actor.ts';
import { Clearance } from '../actor.ts';
import { AssayError } from '../errors.ts';

export type Tag = RowOf<'tags'>;
export interface TagInput {
  name?: string;
  color?: string;
}

/** Tags label exercises across courses; everyone reads them, staff write them. */
export class TagsService {
  constructor(private readonly db: Db) {}

  list(): Promise<Tag[]> {
    return this.db.selectFrom('tags').selectAll().orderBy('id').execute();
  }

  async get(id: number): Promise<Tag> {
    const row = await this.db.selectFrom('tags').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw AssayError.notFound();
    return row;
  }

  private async assertUniqueName(name: string | undefined, selfId: number | null): Promise<void> {
    if (name === undefined) return;
    const other = await this.db.selectFrom('tags').select('id').where('name', '=', name).executeTakeFirst();
    if (other && other.id !== selfId) throw AssayError.field('name', 'unique', 'tag with this name already exists.');
  }

  private assertStaff(actor: Actor): void {
    if (actor.clearance < Clearance.staff) throw AssayError.forbidden();
  }

  async create(actor: Actor, input: Required<TagInput>): Promise<Tag> {
    this.assertStaff(actor);
    await this.assertUniqueName(input.name, null);
    return this.db.insertInto('tags').values(input).returningAll().executeTakeFirstOrThrow();
  }

  async update(actor: Actor, id: number, input: TagInput): Promise<Tag> {
    await this.get(id);
    this.assertStaff(actor);
    await this.assertUniqueName(input.name, id);
    if (Object.keys(input).length > 0) await this.db.updateTable('tags').set(input).where('id', '=', id).execute();
    return this.get(id);
  }

  async delete(actor: Actor, id: number): Promise<void> {
    await this.get(id);
    this.assertStaff(actor);
    await this.db.deleteFrom('tags').where('id', '=', id).execute();
  }
}
