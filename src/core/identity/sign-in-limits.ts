/**
 * Limits on failed sign-in attempts, per account and per client address, for every way of signing
 * in (passwords on every dialect, OAuth client secrets). The core decides; a refusal is a
 * `rate_limited` error that each dialect renders in its own shape.
 */
import type { Actor } from '../actor.ts';
import { AssayError } from '../errors.ts';
import type { UsersService } from './users.service.ts';

/** A fixed counting window: attempts counted in it, and when it ends (ms since the epoch). */
export interface AttemptWindow {
  count: number;
  resetAtMs: number;
}

/**
 * Where attempts are counted. The default counts in this process (MemoryAttemptStore); a store
 * shared by every server (Redis: INCRBY with PEXPIRE NX, DEL) fits the same three operations.
 */
export interface AttemptStore {
  /** Adds `delta` to the key's count, opening a window of `windowMs` when none is open; the count never goes below 0. */
  add(key: string, delta: 1 | -1, windowMs: number): Promise<AttemptWindow>;
  clear(key: string): Promise<void>;
}

export interface SignInLimitSettings {
  /** Failed attempts per account and window (0: no limit). */
  accountFailures: number;
  /** Failed attempts per client address and window (0: no limit). */
  addressFailures: number;
  windowSeconds: number;
}

/** Who tries: the account named (a username, an OAuth client id) and the client's address. */
export interface SignInAttempt {
  account: string;
  address: string;
}

export class SignInLimits {
  constructor(
    private readonly store: AttemptStore,
    private readonly settings: SignInLimitSettings,
    private readonly nowMs: () => number,
  ) {}

  /**
   * Runs a credential check unless the address or the account is over its limit. Every attempt is
   * counted before the check (so parallel guesses are counted too); a success takes its count
   * back from the address and clears the account's.
   */
  async check<T>(attempt: SignInAttempt, verify: () => Promise<T | null>): Promise<T | null> {
    const windowMs = this.settings.windowSeconds * 1000;
    const address = `address:${attempt.address}`;
    const account = `account:${attempt.account.trim().toLowerCase()}`;
    // The address first: once it is over, its guesses no longer touch (or crowd out) account counters.
    if (this.settings.addressFailures > 0) this.refuseOver(await this.store.add(address, 1, windowMs), this.settings.addressFailures);
    if (this.settings.accountFailures > 0) this.refuseOver(await this.store.add(account, 1, windowMs), this.settings.accountFailures);
    const result = await verify();
    if (result !== null) {
      if (this.settings.addressFailures > 0) await this.store.add(address, -1, windowMs);
      if (this.settings.accountFailures > 0) await this.store.clear(account);
    }
    return result;
  }

  private refuseOver(window: AttemptWindow, max: number): void {
    if (window.count <= max) return;
    const retryAfterSeconds = Math.max(1, Math.ceil((window.resetAtMs - this.nowMs()) / 1000));
    throw new AssayError('rate_limited', 'Too many failed sign-in attempts. Try again later.', {
      reason: 'sign_in_limited',
      limit: max,
      retryAfterSeconds,
      resetAt: Math.ceil(window.resetAtMs / 1000),
    });
  }
}

/** Signing in with a username and password, within the limits (every dialect's password sign-in goes here). */
export class PasswordSignIn {
  constructor(
    readonly limits: SignInLimits,
    private readonly users: UsersService,
  ) {}

  /** The active account for these credentials, null when they are wrong; `rate_limited` past the limits. */
  authenticate(username: string, password: string, address: string): Promise<Actor | null> {
    return this.limits.check({ account: username, address }, () => this.users.authenticate(username, password));
  }
}
