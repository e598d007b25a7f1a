import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import { compact } from '../compact.ts';
import { AssayError } from '../errors.ts';
import { labelsRepo } from './labels.repo.ts';
import type { Label, LabelTable, LabelValues } from './labels.repo.ts';

export interface LabelKind {
  table: LabelTable;
  /** Who may create, change and delete labels of this kind. */
  mayWrite(actor: Actor): boolean;
  /** When names are unique: the message of the `unique` problem on `name`. */
  duplicateName?: string;
}

/** Named colors (exercise tags, timetable event colors): everyone reads them, `mayWrite` writes them. */
export class LabelsService {
  private readonly repo: ReturnType<typeof labelsRepo>;

  constructor(
    private readonly db: Db,
    private readonly kind: LabelKind,
  ) {
    this.repo = labelsRepo(kind.table);
  }

  list(): Promise<Label[]> {
    return this.repo.list(this.db);
  }

  async get(id: number): Promise<Label> {
    const row = await this.repo.byId(this.db, id);
    if (!row) throw AssayError.notFound();
    return row;
  }

  private async assertUniqueName(name: string | undefined, selfId: number | null): Promise<void> {
    if (name === undefined || this.kind.duplicateName === undefined) return;
    const other = await this.repo.idByName(this.db, name);
    if (other && other.id !== selfId) throw AssayError.field('name', 'unique', this.kind.duplicateName);
  }

  private assertMayWrite(actor: Actor): void {
    if (!this.kind.mayWrite(actor)) throw AssayError.forbidden();
  }

  async create(actor: Actor, input: Required<LabelValues>): Promise<Label> {
    this.assertMayWrite(actor);
    await this.assertUniqueName(input.name, null);
    return this.repo.insert(this.db, { name: input.name, color: input.color });
  }

  async update(actor: Actor, id: number, input: LabelValues): Promise<Label> {
    await this.get(id);
    this.assertMayWrite(actor);
    await this.assertUniqueName(input.name, id);
    const patch = compact({ name: input.name, color: input.color });
    if (Object.keys(patch).length > 0) await this.repo.update(this.db, id, patch);
    return this.get(id);
  }

  async delete(actor: Actor, id: number): Promise<void> {
    await this.get(id);
    this.assertMayWrite(actor);
    await this.repo.delete(this.db, id);
  }
}
