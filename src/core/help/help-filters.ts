import type { ThreadUserFilters } from '../threads/user-filters.ts';
import type { HelpStatus, HelpType } from './help-enums.ts';

/** The filters of the help list, of `bulk_respond` and of the `latest` feed. */
export interface HelpFilters extends ThreadUserFilters {
  id?: number;
  createdBy?: number;
  /** Hive's `current`: true keeps the open threads, false the resolved ones. */
  current?: boolean;
  exerciseId?: number;
  moduleId?: number;
  subjectId?: number;
  /** Case-insensitive substring of the title or of a response's contents. */
  freeText?: string;
  statuses?: HelpStatus[];
  types?: HelpType[];
  /** Only threads staff changed after this time (the dashboards' incremental poll). */
  staffUpdatedAfter?: string;
}

export const HELP_ORDER_FIELDS = ['id', 'title', 'help_type', 'help_status', 'user', 'checker'] as const;
export type HelpOrderField = (typeof HELP_ORDER_FIELDS)[number];
export interface HelpOrder {
  field: HelpOrderField;
  descending: boolean;
}
