import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import { isStaff } from '../actor.ts';
import type { Clock } from '../clock.ts';
import { isRowId } from '../courses/exercises.service.ts';
import { filesRepo } from '../files/files.repo.ts';
import { AssayError } from '../errors.ts';
import { assertMayRespond } from '../threads/locks.ts';
import { notifyResponse } from '../threads/notify.ts';
import type { HelpResponseType } from './help-enums.ts';
import type { HelpFilters, HelpOrder } from './help-filters.ts';
import { mayChangeHelpResponse, mayPostHelpResponse, onStaffSide, seesStaffOnlyResponses } from './help-policy.ts';
import type { HelpResponse, HelpResponseRow } from './help-responses.repo.ts';
import { helpResponsesRepo, toHelpResponse } from './help-responses.repo.ts';
import type { HelpRow, HelpService } from './help.service.ts';
import { helpRepo } from './help.repo.ts';

export type { HelpResponse } from './help-responses.repo.ts';

/** An uploaded file, already in the blob store. */
export interface StoredUpload {
  sha256: string;
  /** The name it was uploaded under. */
  name: string;
}

/** What a client sets on a response; undefined keys are left as they are. */
export interface HelpResponseInput {
  contents?: string | null;
  /** The file's name; defaults to the uploaded file's own name. */
  file_name?: string;
  /** A new file, or null to remove the file. */
  file?: StoredUpload | null;
  dear_student?: boolean;
  hide_checker_name?: boolean;
  segel_only?: boolean;
  response_type?: HelpResponseType;
}

export type NewHelpResponse = HelpResponseInput & { response_type: HelpResponseType };

/** A response's attached file. */
export interface HelpResponseFile {
  sha256: string;
  name: string;
  size: number;
}

/**
 * Responses on help threads. Each one, in the transaction that writes it, moves its thread
 * (the latest `Resolve` or `Open` response decides `help_status`), marks a staff-side author's
 * touch in `last_staff_updated`, and notifies the thread's subscribers and student (a staff-only
 * response only the staff side). Students never see staff-only responses: to them those do not
 * exist, nested, listed, fetched or downloaded.
 */
export class HelpResponsesService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly helps: HelpService,
  ) {}

  async list(actor: Actor, helpId: number): Promise<HelpResponse[]> {
    await this.helps.visibleRow(actor, helpId);
    return (await helpResponsesRepo.byHelps(this.db, [helpId], seesStaffOnlyResponses(actor))).get(helpId) ?? [];
  }

  private async visibleResponse(actor: Actor, helpId: number, id: number): Promise<{ help: HelpRow; row: HelpResponseRow }> {
    const help = await this.helps.visibleRow(actor, helpId);
    const row = isRowId(id) ? await helpResponsesRepo.byId(this.db, helpId, id, seesStaffOnlyResponses(actor)) : undefined;
    if (!row) throw AssayError.notFound();
    return { help, row };
  }

  async get(actor: Actor, helpId: number, id: number): Promise<HelpResponse> {
    return toHelpResponse((await this.visibleResponse(actor, helpId, id)).row);
  }

  /** The file of a response; not found when it has none. */
  async file(actor: Actor, helpId: number, id: number): Promise<HelpResponseFile> {
    const { row } = await this.visibleResponse(actor, helpId, id);
    if (row.file_blob === null) throw AssayError.notFound();
    const size = await filesRepo.blobSize(this.db, row.file_blob);
    if (size === undefined) throw AssayError.notFound();
    return { sha256: row.file_blob, name: row.file_name, size };
  }

  /** The thread when the actor may answer on it: not found if invisible; forbidden when another checker holds it. */
  async getForResponding(actor: Actor, helpId: number): Promise<HelpRow> {
    const help = await this.helps.visibleRow(actor, helpId);
    if (onStaffSide(actor)) assertMayRespond(help.checker_id, actor);
    return help;
  }

  async create(actor: Actor, helpId: number, input: NewHelpResponse): Promise<HelpResponse> {
    const help = await this.getForResponding(actor, helpId);
    if (!mayPostHelpResponse(actor, { segelOnly: input.segel_only ?? false })) throw AssayError.forbidden();
    const now = this.clock.now();
    const id = await this.db.transaction().execute((trx) => this.respond(trx, help, actor, input, now));
    await this.helps.changes.announce({ kind: 'help', id: helpId });
    return this.get(actor, helpId, id);
  }

  /**
   * Answers every visible thread matching the filters, in one transaction: all or nothing. A
   * checker skips the threads another checker holds (their lock says "mine"); staff answer them
   * too, as they may take over any lock.
   */
  async bulkRespond(actor: Actor, filters: HelpFilters, ordering: HelpOrder[], input: NewHelpResponse): Promise<HelpResponse[]> {
    if (!onStaffSide(actor)) throw AssayError.forbidden();
    const now = this.clock.now();
    const answered: number[] = [];
    const responses = await this.db.transaction().execute(async (trx) => {
      const ids: number[] = [];
      for (const help of await this.helps.matching(trx, actor, filters, ordering)) {
        if (help.checker_id !== null && help.checker_id !== actor.id && !isStaff(actor)) continue;
        ids.push(await this.respond(trx, help, actor, input, now));
        answered.push(help.id);
      }
      if (ids.length === 0) return [];
      const rows = await helpResponsesRepo.byIds(trx, ids);
      const byId = new Map(rows.map((r) => [r.id, toHelpResponse(r)]));
      return ids.map((id) => byId.get(id)!);
    });
    for (const id of answered) await this.helps.changes.announce({ kind: 'help', id });
    return responses;
  }

  /** Writes one response and its effects on the thread, inside the caller's transaction. */
  private async respond(trx: Db, help: HelpRow, actor: Actor, input: NewHelpResponse, now: string): Promise<number> {
    const segelOnly = input.segel_only ?? false;
    const id = await helpResponsesRepo.insert(trx, {
        help_id: help.id,
        user_id: actor.id,
        contents: input.contents ?? null,
        file_name: input.file_name ?? input.file?.name ?? '',
        file_blob: input.file?.sha256 ?? null,
        dear_student: input.dear_student ?? true,
        hide_checker_name: input.hide_checker_name ?? false,
        segel_only: segelOnly,
        response_type: input.response_type,
        created_at: now,
      });
    await this.settle(trx, help.id, actor, now);
    await notifyResponse(trx, {
      thread: { kind: 'help', id: help.id },
      authorId: actor.id,
      responseType: input.response_type,
      comment: input.contents ?? '',
      staffOnly: segelOnly,
      now,
    });
    return id;
  }

  /** The thread's status after a change to its responses, and the staff side's touch. */
  private async settle(trx: Db, helpId: number, actor: Actor, now: string): Promise<void> {
    const status = await helpResponsesRepo.derivedStatus(trx, helpId);
    await helpRepo.update(trx, helpId, { help_status: status, ...(onStaffSide(actor) ? { last_staff_updated: now } : {}) });
  }

  /** The response when the actor may change or delete it: not found if invisible; forbidden unless its author or staff. */
  async getForChange(actor: Actor, helpId: number, id: number): Promise<HelpResponseRow> {
    const { row } = await this.visibleResponse(actor, helpId, id);
    if (!mayChangeHelpResponse(actor, { authorId: row.user_id })) throw AssayError.forbidden();
    return row;
  }

  async update(actor: Actor, helpId: number, id: number, input: HelpResponseInput): Promise<HelpResponse> {
    const current = await this.getForChange(actor, helpId, id);
    if (!mayChangeHelpResponse(actor, { authorId: current.user_id }, { segelOnly: input.segel_only })) throw AssayError.forbidden();
    const file =
      input.file === undefined
        ? input.file_name !== undefined
          ? { file_name: input.file_name }
          : {}
        : { file_blob: input.file?.sha256 ?? null, file_name: input.file_name ?? input.file?.name ?? '' };
    const now = this.clock.now();
    const changes = {
      ...(input.contents !== undefined ? { contents: input.contents } : {}),
      ...file,
      ...(input.dear_student !== undefined ? { dear_student: input.dear_student } : {}),
      ...(input.hide_checker_name !== undefined ? { hide_checker_name: input.hide_checker_name } : {}),
      ...(input.segel_only !== undefined ? { segel_only: input.segel_only } : {}),
      ...(input.response_type !== undefined ? { response_type: input.response_type } : {}),
    };
    await this.db.transaction().execute(async (trx) => {
      await helpResponsesRepo.update(trx, id, changes);
      await this.settle(trx, helpId, actor, now);
    });
    await this.helps.changes.announce({ kind: 'help', id: helpId });
    return this.get(actor, helpId, id);
  }

  async delete(actor: Actor, helpId: number, id: number): Promise<void> {
    await this.getForChange(actor, helpId, id);
    const now = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      await helpResponsesRepo.delete(trx, id);
      await this.settle(trx, helpId, actor, now);
    });
    await this.helps.changes.announce({ kind: 'help', id: helpId });
  }
}
