import argon2 from 'argon2';

/** Password hashing with argon2id; the cost is configurable so tests can run fast. */
export class PasswordHasher {
  constructor(private readonly memoryCost: number) {}

  hash(password: string): Promise<string> {
    return argon2.hash(password, { type: argon2.argon2id, memoryCost: this.memoryCost, timeCost: 2 });
  }

  async verify(hash: string | null, password: string): Promise<boolean> {
    if (!hash) return false;
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  }
}
