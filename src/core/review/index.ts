import type { BaseServices } from '../services.ts';
import { InboxEvents } from '../inbox/inbox-events.ts';
import { InboxService } from '../inbox/inbox.service.ts';
import { CheckerLocks } from './checker-locks.ts';
import { HelpDesk } from './help-desk.ts';
import { LineCommentsService } from './line-comments.service.ts';
import { ReviewService } from './review.service.ts';

/** The checker's side: the inbox and its live events, locks, line comments, reviews, resolving help. */
export interface ReviewServices {
  inbox: InboxService;
  /** Call `changed(thread)` after a change that moves an item in or out of a course's inbox. */
  events: InboxEvents;
  locks: CheckerLocks;
  comments: LineCommentsService;
  reviews: ReviewService;
  helpDesk: HelpDesk;
}

export function buildReviewServices(base: BaseServices): ReviewServices {
  const { db, clock, blobs } = base;
  const events = new InboxEvents(db, base.liveEvents.bus, base.grading, [base.assignments.changes, base.help.changes, base.exchangeAssignments.changes]);
  const comments = new LineCommentsService(db, clock, blobs, base.submissions, base.assignments);
  return {
    inbox: new InboxService(db, base.help),
    events,
    locks: new CheckerLocks(db, base.assignments, base.help),
    comments,
    reviews: new ReviewService(db, clock, blobs, base.assignments, base.responses, base.submissions, base.problems, comments),
    helpDesk: new HelpDesk(base.help, base.helpResponses),
  };
}
