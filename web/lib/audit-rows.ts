/**
 * The audit explorer shows entries newest first: older pages append below, new entries arrive on
 * top. These pure steps keep that list in order without duplicates and say when a head read
 * cannot be joined to what is shown (more new entries than one page): then the list restarts.
 */
export interface Seq {
  seq: number;
}

/** Union by seq, newest first. */
export function mergeNewestFirst<T extends Seq>(rows: readonly T[], incoming: readonly T[]): T[] {
  const bySeq = new Map<number, T>();
  for (const row of rows) bySeq.set(row.seq, row);
  for (const row of incoming) bySeq.set(row.seq, row);
  return [...bySeq.values()].sort((a, b) => b.seq - a.seq);
}

/**
 * Joins the newest page to the rows shown: `restart` when the page ends above the top row and more
 * entries lie between (its hasNextPage) — a gap the list must not hide.
 */
export function joinHead<T extends Seq>(rows: readonly T[], head: { nodes: readonly T[]; hasNextPage: boolean }): { rows: T[]; restart: boolean } {
  const top = rows[0]?.seq ?? -1;
  const oldestNew = head.nodes.at(-1)?.seq ?? -1;
  if (rows.length > 0 && head.hasNextPage && oldestNew > top + 1) return { rows: [...head.nodes], restart: true };
  return { rows: mergeNewestFirst(rows, head.nodes), restart: false };
}
