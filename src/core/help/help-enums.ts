/** The wire values of a help thread's enums (hive.md §5); the core stores them as they are. */
export const HELP_TYPES = ['Exercise', 'Medical', 'Error', 'Music', 'Request', 'Other', 'Chat'] as const;
export type HelpType = (typeof HELP_TYPES)[number];

export const HELP_STATUSES = ['Resolved', 'Open'] as const;
export type HelpStatus = (typeof HELP_STATUSES)[number];

export const HELP_RESPONSE_TYPES = ['Resolve', 'Open', 'Comment'] as const;
export type HelpResponseType = (typeof HELP_RESPONSE_TYPES)[number];

export const HELP_VISIBILITIES = ['All Staff', 'All Staff And Checkers', 'Author Only'] as const;
export type HelpVisibility = (typeof HELP_VISIBILITIES)[number];

/** A staff-only conversation: only staff open one. */
export const CHAT: HelpType = 'Chat';

/** The status a response of this type leaves its thread in; `null`: unchanged. */
export function statusAfter(type: HelpResponseType): HelpStatus | null {
  return type === 'Resolve' ? 'Resolved' : type === 'Open' ? 'Open' : null;
}
