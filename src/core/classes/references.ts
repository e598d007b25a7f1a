import type { Actor } from '../actor.ts';
import { AssayError } from '../errors.ts';
import { classPolicy } from './policy.ts';

/** Classes and seats are the staff side of a program: checkers and above read them, students do not (403). */
export function assertReader(actor: Actor): void {
  if (!classPolicy.mayRead(actor)) throw AssayError.forbidden();
}
