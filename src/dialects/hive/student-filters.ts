import type { ThreadUserFilters } from '../../core/threads/user-filters.ts';
import type { Filters } from './filters.ts';

/** The `user__…` filters assignments and help threads share: on the thread's student. */
export const studentFilterSpec = {
  user__classes__id: 'int',
  user__classes__id__in: 'intList',
  user__id__in: 'intList',
  user__mentor__id: 'int',
  user__mentor__id__in: 'intList',
  user__program__id__in: 'intList',
} as const;

export function studentFilters(f: Filters<Partial<typeof studentFilterSpec>>): ThreadUserFilters {
  return {
    classId: f.user__classes__id,
    classIds: f.user__classes__id__in,
    userIds: f.user__id__in,
    mentorId: f.user__mentor__id,
    mentorIds: f.user__mentor__id__in,
    programIds: f.user__program__id__in,
  };
}
