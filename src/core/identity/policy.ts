import type { Actor } from '../actor.ts';
import { Clearance } from '../actor.ts';

/** Who may do what with user accounts. Pure functions; services call them, nobody else decides. */
export const userPolicy = {
  /** Students see only themselves; everyone else sees accounts (filtered by program for checkers). */
  seesAllUsers: (a: Actor): boolean => a.clearance >= Clearance.staff,
  canManageUsers: (a: Actor): boolean => a.clearance >= Clearance.staff,
  /** Only admins create or edit admins, or grant admin clearance. */
  canTouchClearance: (a: Actor, clearance: number): boolean => clearance < Clearance.admin || a.clearance >= Clearance.admin,
  canReadAvatar: (a: Actor, targetId: number): boolean => a.id === targetId || a.clearance >= Clearance.checker,
  /** An account's profile (email and names): the user themself and admins read and edit it. */
  canEditProfile: (a: Actor, targetId: number): boolean => a.id === targetId || a.clearance >= Clearance.admin,
};

/** Who may attempt each user-account action at all, before any account is looked up. */
export const identityAttempts = {
  'users.create': userPolicy.canManageUsers,
  'users.update': userPolicy.canManageUsers,
  'users.delete': userPolicy.canManageUsers,
};
