import type { Db } from '../../db/database.ts';
import type { Timestamp } from '../clock.ts';
import { claimRepo } from './claim.repo.ts';

/** How a dialect's submitters hold assignments. */
export interface ClaimRules {
  /**
   * Whether an assignment the submitter is a candidate of (a group's) takes their submission
   * when they have none of their own. False where each student hands in alone (the nbgrader
   * exchange): a submission always goes to the student's own assignment.
   */
  groups: boolean;
}

/** Assay's own API, Autolab and INGInious (core submissions): a candidate submits into their group's assignment. */
export const GROUP_CLAIM: ClaimRules = { groups: true };
/** The nbgrader exchange: every student submits into their own assignment. */
export const OWN_CLAIM: ClaimRules = { groups: false };

/**
 * The submitter's assignment on the exercise, its submission count raised by one: their own,
 * else (by `rules`) one they are a candidate of, else a new one with them as its candidate. Runs
 * in the caller's transaction; two first submissions at once both end up in the one assignment
 * the database let through.
 */
export async function claimAssignment(trx: Db, submitter: { exerciseId: number; userId: number; now: Timestamp }, rules: ClaimRules): Promise<number> {
  const { exerciseId, userId, now } = submitter;
  const existing = await claimRepo.bump(trx, exerciseId, userId, rules.groups, now);
  if (existing !== undefined) return existing;
  const created = await claimRepo.insertOwn(trx, exerciseId, userId, now);
  if (created !== undefined) {
    await claimRepo.addCandidate(trx, created, userId);
    return created;
  }
  // Another request created it after our first look; it has committed, so it is there now.
  const raced = await claimRepo.bump(trx, exerciseId, userId, rules.groups, now);
  if (raced === undefined) throw new Error('assignment vanished while submitting');
  return raced;
}
