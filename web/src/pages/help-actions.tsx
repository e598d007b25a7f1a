/** A checker's actions on a help thread (lock, resolve): filled in as the checker API lands. */
export function HelpThreadActions(_props: { thread: { id: number; status: string } }) {
  return null;
}
