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
    for (const row of args.result.rows) {
      for (const key of Object.keys(row)) {
        if (this.columns.has(key)) {
          const v = row[key];
          if (v === 0 || v === 1) row[key] = v === 1;
        }
      }
    }
    return args.result;
  }
}
