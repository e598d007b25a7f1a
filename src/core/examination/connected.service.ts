/** Search and read of what hangs off an assignment group (deadlines, deliveries, feedback) and of the hierarchy above it, for each role. */
import type { Actor } from '../actor.ts';
import type { Clock } from '../clock.ts';
import { AssayError } from '../errors.ts';
import type { Db } from '../../db/database.ts';
import type { Engine } from '../../db/columns.ts';
import { deadlineSql, deliverySql, feedbackSql, filemetaSql } from './connected.repo.ts';
import { candidatesOf, groupVisibleSql } from './groups.repo.ts';
import type { SearchResult } from './groups.service.ts';
import type { Item } from './items.ts';
import { byOwner, normalise } from './items.ts';
import type { DevilryRole } from './policies.ts';
import type { Visibility } from './policies.ts';
import { groupVisibility } from './policies.ts';
import { assignmentSql, nodeSql, periodSql, subjectSql, upwardVisibleSql } from './upward.repo.ts';
import type { VisibleSql } from './search.repo.ts';
import { runSearch } from './search.repo.ts';
import type { ResourceSpec, SearchParams, SearchPlan } from './search.ts';
import { checkExactNumber, compileSearch } from './search.ts';

/** Each resource's SQL and how the caller's visibility applies to it. */
export const CONNECTED = {
  deadline: deadlineSql,
  delivery: deliverySql,
  staticfeedback: feedbackSql,
  filemeta: filemetaSql,
  assignment: assignmentSql,
  period: periodSql,
  subject: subjectSql,
  node: nodeSql,
} as const;
export type ConnectedModel = keyof typeof CONNECTED;

function visibleSql(engine: Engine, model: ConnectedModel, v: Visibility): VisibleSql {
  return model === 'assignment' || model === 'period' || model === 'subject' || model === 'node' ? upwardVisibleSql(model, v) : groupVisibleSql(engine, v, false);
}

export class ConnectedService {
  constructor(
    private readonly db: Db,
    private readonly engine: Engine,
    private readonly clock: Clock,
  ) {}

  private async page(actor: Actor, role: DevilryRole, model: ConnectedModel, plan: SearchPlan): Promise<SearchResult> {
    const r = CONNECTED[model];
    const visible = visibleSql(this.engine, model, groupVisibility(actor, role, this.clock.now()));
    const { total, rows } = await runSearch(this.db, this.engine, r, plan, visible);
    checkExactNumber(plan, total);
    const manyFields = plan.fields.filter((f) => r.many[f]);
    const candidates = byOwner(manyFields.length > 0 ? await candidatesOf(this.db, [...new Set(rows.map((row) => Number(row.__group)))]) : []);
    const items = rows.map((row) => {
      const item = normalise(r.spec, plan.fields, row);
      for (const f of manyFields) item[f] = (candidates.get(Number(row.__group)) ?? []).map((c) => c.identifier);
      return item;
    });
    return { total, items };
  }

  /** What a resource's items hold (for rendering its date-times). */
  spec(model: ConnectedModel): ResourceSpec {
    return CONNECTED[model].spec;
  }

  search(actor: Actor, role: DevilryRole, model: ConnectedModel, params: SearchParams): Promise<SearchResult> {
    return this.page(actor, role, model, compileSearch(CONNECTED[model].spec, params));
  }

  async read(actor: Actor, role: DevilryRole, model: ConnectedModel, id: number, params: SearchParams = {}): Promise<Item> {
    const plan = compileSearch(CONNECTED[model].spec, { result_fieldgroups: params.result_fieldgroups });
    const { items } = await this.page(actor, role, model, { ...plan, conditions: [{ kind: 'compare', field: 'id', op: '=', value: id }], start: 0, limit: 1 });
    if (items.length === 0) throw AssayError.forbidden();
    return items[0]!;
  }
}
