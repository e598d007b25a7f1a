import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';

/**
 * SQLite returns booleans as 0/1. This plugin turns the known boolean columns back into
 * booleans so both engines hand the core the same values.
 */
export class BooleanColumnsPlugin implements KyselyPlugin {
  constructor(private readonly columns: ReadonlySet<string>) {}

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const { rows } = args.result;
    if (rows.length === 0) return args.result;
    // Every row of a result has the same columns: find the boolean ones once, not in every row.
    const keys = Object.keys(rows[0]!).filter((key) => this.columns.has(key));
    if (keys.length === 0) return args.result;
    for (const row of rows) {
      for (const key of keys) {
        const v = row[key];
        if (v === 0 || v === 1) row[key] = v === 1;
      }
    }
    return args.result;
  }
}
