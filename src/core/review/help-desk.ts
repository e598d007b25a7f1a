import type { Actor } from '../actor.ts';
import type { HelpStatus } from '../help/help-enums.ts';
import type { HelpResponsesService } from '../help/help-responses.service.ts';
import type { HelpService } from '../help/help.service.ts';

/** Resolving a help thread from the checker's inbox: a Hive `Resolve` response. */
export class HelpDesk {
  constructor(
    private readonly help: HelpService,
    private readonly responses: HelpResponsesService,
  ) {}

  /** Who may answer on the thread may resolve it (Hive: its student, and the grading side unless another checker holds it). */
  async resolve(actor: Actor, helpId: number, text: string | null): Promise<{ id: number; status: HelpStatus }> {
    await this.responses.create(actor, helpId, { response_type: 'Resolve', contents: text });
    const thread = await this.help.visibleRow(actor, helpId);
    return { id: thread.id, status: thread.help_status as HelpStatus };
  }

  /** Refuses (404, 403) who may not answer on the thread now, before a body is read. */
  async assertMayAnswer(actor: Actor, helpId: number): Promise<void> {
    await this.responses.getForResponding(actor, helpId);
  }
}
