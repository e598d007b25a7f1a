/** One workstation of a room. */
export interface Seat {
  id: number;
  x: number;
  y: number;
  user_id: number | null;
}

/** One student of the class to be seated. */
export interface SeatCandidate {
  id: number;
  number: number | null;
}

/**
 * Deterministic seating: students who already sit in the room keep their seat; the others, by
 * student number (then id), take the free seats row by row (y, then x, then seat id). Returns
 * seat id → student id for the seats that change, or the shortfall when the free seats do not
 * suffice (then nobody moves).
 */
export function planSeating(seats: Seat[], students: SeatCandidate[]): { moves: Map<number, number> } | { missing: number; free: number } {
  const seated = new Set(seats.map((s) => s.user_id).filter((u): u is number => u !== null));
  const waiting = students
    .filter((s) => !seated.has(s.id))
    .sort((a, b) => (a.number ?? Number.MAX_SAFE_INTEGER) - (b.number ?? Number.MAX_SAFE_INTEGER) || a.id - b.id);
  const free = seats.filter((s) => s.user_id === null).sort((a, b) => a.y - b.y || a.x - b.x || a.id - b.id);
  if (waiting.length > free.length) return { missing: waiting.length, free: free.length };
  return { moves: new Map(waiting.map((student, i) => [free[i]!.id, student.id])) };
}
