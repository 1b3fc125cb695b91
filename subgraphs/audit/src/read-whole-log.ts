import type { Checkpoint } from '@switchyard/ledger';
import type { AuditStore, StoredAuditEntry } from './audit-store';

const PAGE = 10_000;

/** Every entry (seq order) and every checkpoint, for offline verification. */
export async function readWholeLog(store: AuditStore, onProgress?: (read: number) => void): Promise<{ entries: StoredAuditEntry[]; checkpoints: Checkpoint[] }> {
  const entries: StoredAuditEntry[] = [];
  // Pages by position, not by cursor: a deleted or duplicated row must stay visible to the verifier.
  for (;;) {
    const last = entries.at(-1);
    const page = await store.listEntries('platform', {}, last ? last.seq : -1, PAGE);
    entries.push(...page);
    onProgress?.(entries.length);
    if (page.length < PAGE) break;
  }
  return { entries, checkpoints: await store.listCheckpoints() };
}
