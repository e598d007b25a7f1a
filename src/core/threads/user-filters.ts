/** Filters on a thread's student shared by assignments and help threads (`user__…`). */
export interface ThreadUserFilters {
  userIds?: number[];
  classId?: number;
  classIds?: number[];
  mentorId?: number;
  mentorIds?: number[];
  programIds?: number[];
}

/** Their SQL conditions live with the other thread queries. */
export { threadUserConditions } from './threads.repo.ts';
