/** Assignment groups for Devilry's three roles: search, read, and the examiner's update of `is_open`. */
import type { Actor } from '../actor.ts';
import type { Clock } from '../clock.ts';
import { AssayError } from '../errors.ts';
import type { Db } from '../../db/database.ts';
import type { Engine } from '../../db/columns.ts';
import { EXAMINER_GROUP_EDITABLE, examinerGroupSpec } from './groups.resource.ts';
import { candidatesOf, groupSql, groupVisibleSql, setOpen, tagsOf } from './groups.repo.ts';
import type { Item } from './items.ts';
import { byOwner, normalise } from './items.ts';
import type { DevilryRole } from './policies.ts';
import { groupVisibility } from './policies.ts';
import type { SearchParams, SearchPlan } from './search.ts';
import { checkExactNumber, compileSearch } from './search.ts';
import { isVisible, runSearch } from './search.repo.ts';
import { assertEditable } from './fields.ts';

export interface SearchResult {
  total: number;
  items: Item[];
}

/** The one answer for a missing id and for one the caller may not see (ids cannot be probed). */

export class GroupsService {
  readonly spec = examinerGroupSpec;

  constructor(
    private readonly db: Db,
    private readonly engine: Engine,
    private readonly clock: Clock,
  ) {}

  /** Searches are driven from the caller's memberships; one group by id is found by its key instead. */
  private visible(actor: Actor, role: DevilryRole, drive = true) {
    return groupVisibleSql(this.engine, groupVisibility(actor, role, this.clock.now()), drive);
  }

  private async page(actor: Actor, role: DevilryRole, plan: SearchPlan, drive = true): Promise<SearchResult> {
    const { total, rows } = await runSearch(this.db, this.engine, groupSql, plan, this.visible(actor, role, drive));
    checkExactNumber(plan, total);
    const ids = rows.map((r) => Number(r.__id));
    const wantCandidates = plan.fields.some((f) => f === 'candidates' || f === 'candidates__identifier');
    const candidates = byOwner(wantCandidates ? await candidatesOf(this.db, ids) : []);
    const tags = byOwner(plan.fields.includes('tags__tag') ? await tagsOf(this.db, ids) : []);
    const items = rows.map((row, i) => {
      const item = normalise(this.spec, plan.fields, row);
      const id = ids[i]!;
      if (plan.fields.includes('candidates__identifier')) item.candidates__identifier = (candidates.get(id) ?? []).map((c) => c.identifier);
      if (plan.fields.includes('tags__tag')) item.tags__tag = (tags.get(id) ?? []).map((t) => t.tag);
      if (plan.fields.includes('candidates')) {
        item.candidates = (candidates.get(id) ?? []).map((c) => ({ identifier: c.identifier, full_name: c.full_name, email: c.email }));
      }
      return item;
    });
    return { total, items };
  }

  search(actor: Actor, role: DevilryRole, params: SearchParams): Promise<SearchResult> {
    return this.page(actor, role, compileSearch(this.spec, params));
  }

  /** One visible group with its always-returned fields (derived ones included) and any requested field groups. */
  async read(actor: Actor, role: DevilryRole, id: number, params: SearchParams = {}): Promise<Item> {
    const plan = compileSearch(this.spec, { result_fieldgroups: params.result_fieldgroups });
    const { items } = await this.page(actor, role, { ...plan, conditions: [{ kind: 'compare', field: 'id', op: '=', value: id }], start: 0, limit: 1 }, false);
    if (items.length === 0) throw AssayError.forbidden();
    return items[0]!;
  }

  /** The examiner's update: only `is_open` may change (reference §6.1). */
  async update(actor: Actor, role: DevilryRole, id: number, input: Record<string, unknown>, trx?: Db): Promise<void> {
    const db = trx ?? this.db;
    if (!Number.isSafeInteger(id) || !(await isVisible(db, groupSql, id, this.visible(actor, role, false)))) throw AssayError.forbidden();
    assertEditable(input, EXAMINER_GROUP_EDITABLE);
    if (!('is_open' in input)) return;
    const isOpen = booleanField(input.is_open);
    if (isOpen === null) throw AssayError.field('is_open', 'invalid', "'is_open' value must be either True or False.");
    await setOpen(db, id, isOpen);
  }
}

/** A boolean as a form or JSON sends it, or null. */
export function booleanField(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === 0) return value === 1;
  if (typeof value === 'string' && /^(true|false|1|0)$/i.test(value)) return /^(true|1)$/i.test(value);
  return null;
}
