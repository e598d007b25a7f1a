import type { Actor } from '../actor.ts';
import { isAdmin } from '../actor.ts';

/** Who runs the server's admin pages. Pure rules; the admin service reads them, nobody else decides. */
export const adminPolicy = {
  /** Users, their clearance and passwords, OAuth clients, everyone's tokens and the server's health: admins only. */
  canAdminister: (a: Actor): boolean => isAdmin(a),
  /** An admin does not lock themself out: their own clearance and active flag stay as they are. */
  canChangeStanding: (a: Actor, targetId: number): boolean => a.id !== targetId,
};
