import type { Db } from '../../db/database.ts';
import type { NewRow, RowOf, RowPatch } from '../../db/types.ts';
import type { HelpResponseType, HelpStatus } from './help-enums.ts';
import { statusAfter } from './help-enums.ts';

/** One response on a help thread, as the core hands it out (the file by reference only). */
export interface HelpResponse {
  id: number;
  help_id: number;
  /** The author; null once their account is gone. */
  user_id: number | null;
  contents: string | null;
  file_name: string;
  has_file: boolean;
  dear_student: boolean;
  hide_checker_name: boolean;
  segel_only: boolean;
  response_type: HelpResponseType;
  created_at: string;
}

export type HelpResponseRow = RowOf<'help_responses'>;

export function toHelpResponse(r: HelpResponseRow): HelpResponse {
  return {
    id: r.id,
    help_id: r.help_id,
    user_id: r.user_id,
    contents: r.contents,
    file_name: r.file_name,
    has_file: r.file_blob !== null,
    dear_student: r.dear_student,
    hide_checker_name: r.hide_checker_name,
    segel_only: r.segel_only,
    response_type: r.response_type as HelpResponseType,
    created_at: r.created_at,
  };
}

export const helpResponsesRepo = {
  /** The responses of each thread in ascending id order (every requested id has an entry). */
  async byHelps(db: Db, helpIds: number[], withStaffOnly: boolean): Promise<Map<number, HelpResponse[]>> {
    const ids = [...new Set(helpIds)];
    const out = new Map<number, HelpResponse[]>(ids.map((id) => [id, []]));
    for (let i = 0; i < ids.length; i += 500) {
      let q = db.selectFrom('help_responses').selectAll().where('help_id', 'in', ids.slice(i, i + 500));
      if (!withStaffOnly) q = q.where('segel_only', '=', false);
      for (const r of await q.orderBy('id').execute()) out.get(r.help_id)!.push(toHelpResponse(r));
    }
    return out;
  },

  byIds(db: Db, ids: number[]): Promise<HelpResponseRow[]> {
    return db.selectFrom('help_responses').selectAll().where('id', 'in', ids).execute();
  },

  async insert(db: Db, row: NewRow<'help_responses'>): Promise<number> {
    return (await db.insertInto('help_responses').values(row).returning('id').executeTakeFirstOrThrow()).id;
  },

  /** Changes the response; a patch naming no column changes nothing (an UPDATE with nothing to set is not SQL). */
  async update(db: Db, id: number, patch: RowPatch<'help_responses'>): Promise<void> {
    if (Object.keys(patch).length > 0) await db.updateTable('help_responses').set(patch).where('id', '=', id).execute();
  },

  async delete(db: Db, id: number): Promise<void> {
    await db.deleteFrom('help_responses').where('id', '=', id).execute();
  },

  async byId(db: Db, helpId: number, id: number, withStaffOnly: boolean): Promise<HelpResponseRow | undefined> {
    let q = db.selectFrom('help_responses').selectAll().where('help_id', '=', helpId).where('id', '=', id);
    if (!withStaffOnly) q = q.where('segel_only', '=', false);
    return q.executeTakeFirst();
  },

  /** The status the thread's responses leave it in: the latest `Resolve` or `Open` decides; none: open. */
  async derivedStatus(db: Db, helpId: number): Promise<HelpStatus> {
    const last = await db
      .selectFrom('help_responses')
      .select('response_type')
      .where('help_id', '=', helpId)
      .where('response_type', 'in', ['Resolve', 'Open'])
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return (last && statusAfter(last.response_type as HelpResponseType)) ?? 'Open';
  },
};
