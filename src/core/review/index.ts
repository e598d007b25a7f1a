import type { BaseServices } from '../services.ts';
import { InboxService } from '../inbox/inbox.service.ts';
import { LineCommentsService } from './line-comments.service.ts';
import { ReviewService } from './review.service.ts';

/** The checker's side: the inbox, line comments and reviews. */
export interface ReviewServices {
  inbox: InboxService;
  comments: LineCommentsService;
  reviews: ReviewService;
}

export function buildReviewServices(base: BaseServices): ReviewServices {
  const { db, clock, blobs } = base;
  const comments = new LineCommentsService(db, clock, blobs, base.submissions, base.assignments);
  return {
    inbox: new InboxService(db, base.help),
    comments,
    reviews: new ReviewService(db, clock, blobs, base.assignments, base.responses, base.submissions, base.problems, comments),
  };
}
