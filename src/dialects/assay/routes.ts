import type { FastifyInstance } from 'fastify';
import type { Services } from '../../core/services.ts';
import type { HiveRoutes } from '../hive/plugin.ts';
import { tokenRoutes } from './tokens.ts';
import { exerciseFileRoutes } from './exercise-files.ts';
import { graderRoutes } from './graders.ts';
import { submissionRoutes } from './submissions.ts';
import { oauthRoutes } from './oauth.ts';
import { extensionRoutes } from './extensions.ts';
import { profileRoutes } from './profiles.ts';
import { enrolmentRoutes } from './enrolment.ts';
import { auditRoutes } from './audit.ts';
import { checkerInboxRoutes } from './checker-inbox.ts';
import { checkerLockRoutes } from './checker-locks.ts';
import { checkerReviewRoutes } from './checker-review.ts';
import { cookieSessions, sessionRoutes } from './session.ts';
import { securityHeaders } from './security-headers.ts';
import { endStreamsOnClose, eventRoutes } from './events.ts';
import { studentProgressRoutes } from './student-progress.ts';
import { studentHelpRoutes } from './student-help.ts';
import { courseRoutes } from './courses.ts';
import { graderWorkbenchRoutes } from './grader-workbench.ts';
import { courseQueueRoutes } from './course-queue.ts';
import { gradebookRoutes } from './gradebook.ts';
import { adminRoutes } from './admin.ts';
import { similarityRoutes } from './similarity.ts';

/** Assay's own endpoints (`/api/assay/v1/`), for what no dialect covers. Hive's envelope and auth. */
export const assayRoutes: HiveRoutes[] = [tokenRoutes, exerciseFileRoutes, graderRoutes, submissionRoutes, oauthRoutes, extensionRoutes, profileRoutes, enrolmentRoutes, auditRoutes, sessionRoutes, eventRoutes, studentProgressRoutes, studentHelpRoutes, checkerInboxRoutes, checkerLockRoutes, checkerReviewRoutes, courseRoutes, graderWorkbenchRoutes, courseQueueRoutes, gradebookRoutes, adminRoutes, similarityRoutes];

/** What Assay's scope adds to Hive's: security headers and browser cookie sessions (with CSRF tokens). */
export const assayScope = (services: Services) => async (scope: FastifyInstance) => {
  await securityHeaders(scope, 'api');
  await cookieSessions(services)(scope);
  endStreamsOnClose(scope);
};
