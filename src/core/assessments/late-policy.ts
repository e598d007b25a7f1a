import type { Timestamp } from '../clock.ts';
import { microsToTimestamp, timestampToMicros } from '../clock.ts';

/**
 * Autolab's late policy as pure functions over one student's view of an assessment. Times are
 * the core's UTC timestamps; `null` means "never" (no due date, no end date).
 */
export interface AssessmentWindow {
  start_at: Timestamp | null;
  due_at: Timestamp | null;
  end_at: Timestamp | null;
}

/** A per-student extension: `days` more for the due and end dates, or no end at all. */
export interface Extension {
  days: number;
  infinite: boolean;
}

/** A course's grace days (spent across its assessments) and late slack (seconds; under a day, as it forgives part of each late day). */
export const MAX_GRACE_DAYS = 365;
export const MAX_LATE_SLACK_SECONDS = 86_399;

const DAY_MICROS = 86_400_000_000n;
const SECOND_MICROS = 1_000_000n;

const shift = (t: Timestamp | null, days: number): Timestamp | null => {
  if (t === null || days === 0) return t;
  return microsToTimestamp(timestampToMicros(t) + BigInt(days) * DAY_MICROS);
};

/** The window a student works in: an extension moves the due and end dates by its days, or removes the end. */
export function extendedWindow(window: AssessmentWindow, extension: Extension | null): AssessmentWindow {
  if (!extension) return window;
  return {
    start_at: window.start_at,
    due_at: shift(window.due_at, extension.days),
    end_at: extension.infinite ? null : shift(window.end_at, extension.days),
  };
}

/** Released (students may see it) once its start has passed. */
export function isReleased(window: AssessmentWindow, now: Timestamp): boolean {
  return window.start_at === null || timestampToMicros(window.start_at) <= timestampToMicros(now);
}

/** Handins close at the end date (after any extension) plus the course's late slack, as upstream's `end_at`. */
export function isClosed(window: AssessmentWindow, now: Timestamp, lateSlackSeconds = 0): boolean {
  return window.end_at !== null && timestampToMicros(now) > timestampToMicros(window.end_at) + BigInt(lateSlackSeconds) * SECOND_MICROS;
}

/**
 * Whole days a handin at `at` is late: one per started day past the due date, except that a
 * handin at most the course's late slack (seconds) past a day's boundary is not charged for the
 * day it has just started (upstream: "late_slack = 60 and they turn in 10 seconds past the first
 * grace day, only one grace day would be used"). So with no slack 1 s late is 1 day; with 60 s of
 * slack, 60 s late is on time and a day and 30 s late is 1 day, not 2.
 */
export function daysLate(window: AssessmentWindow, at: Timestamp, lateSlackSeconds: number): number {
  if (window.due_at === null) return 0;
  const late = timestampToMicros(at) - timestampToMicros(window.due_at) - BigInt(lateSlackSeconds) * SECOND_MICROS;
  return late <= 0n ? 0 : Number((late + DAY_MICROS - 1n) / DAY_MICROS);
}

/** How a late handin is paid for: grace days first (within both limits), penalty days for the rest. */
export interface LateCharge {
  daysLate: number;
  graceDays: number;
  penaltyDays: number;
}

/**
 * `courseGraceDaysLeft`: the course's grace days minus those spent on the student's other
 * assessments; `maxGraceDays`: the assessment's own cap.
 */
export function chargeLateness(daysLateCount: number, maxGraceDays: number, courseGraceDaysLeft: number): LateCharge {
  const graceDays = Math.max(0, Math.min(daysLateCount, maxGraceDays, courseGraceDaysLeft));
  return { daysLate: daysLateCount, graceDays, penaltyDays: daysLateCount - graceDays };
}

/** One assessment of a student's course, for grace-day accounting in due-date order. */
export interface GraceLedgerEntry {
  exerciseId: number;
  window: AssessmentWindow;
  maxGraceDays: number;
  /** The student's latest handin, null when none. */
  lastHandinAt: Timestamp | null;
}

/**
 * Grace days spent per assessment across a course: assessments are charged in due-date order,
 * each from what the earlier ones left of the course's grace days.
 */
export function graceLedger(entries: GraceLedgerEntry[], courseGraceDays: number, lateSlackSeconds: number): Map<number, LateCharge> {
  const ordered = [...entries].sort((a, b) => (a.window.due_at ?? '\uffff').localeCompare(b.window.due_at ?? '\uffff') || a.exerciseId - b.exerciseId);
  const out = new Map<number, LateCharge>();
  let left = courseGraceDays;
  for (const e of ordered) {
    const late = e.lastHandinAt === null ? 0 : daysLate(e.window, e.lastHandinAt, lateSlackSeconds);
    const charge = chargeLateness(late, e.maxGraceDays, left);
    left -= charge.graceDays;
    out.set(e.exerciseId, charge);
  }
  return out;
}
