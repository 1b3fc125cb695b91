/**
 * Settlements waiting to ride along with the next Redis script of their slot (redis-rate-limiter.ts).
 *
 * Why: settling a request's token reservation was a script call of its own after every answer,
 * a second round trip per request. A settlement needs no answer on the client's path, so it
 * waits here for a moment: the next reservation of the same tenant (same hash tag, so the same
 * Redis Cluster slot) carries it in its own script, applied before that reservation's checks;
 * whatever is still waiting when the linger ends leaves in one script per slot, every request
 * settled in that time together. Each settlement is still applied atomically, exactly once.
 * Waiting only ever delays a refund (the estimate stays charged a moment longer: never more
 * admitted than allowed) or an over-use charge (by at most `lingerMs`).
 */
export interface SettlementBatch {
  /** Full Redis keys (prefix included), one per settlement, all of one slot. */
  readonly keys: string[];
  /** Two per key: emission interval (µs) and the signed delta in units. */
  readonly args: string[];
  /** Told once when the script carrying the batch answered (or failed). */
  done(error?: unknown): void;
}

interface OpenBatch extends SettlementBatch {
  waiters: Array<{ resolve: () => void; reject: (error: unknown) => void }>;
}

/**
 * The Redis Cluster slot a key hashes to, as a grouping identity: the part between the first `{`
 * and the next `}` when it is non-empty (Redis' hash-tag rule), else the whole key.
 */
export function slotOf(key: string): string {
  const open = key.indexOf('{');
  if (open < 0) return key;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

export class PendingSettlements {
  private readonly bySlot = new Map<string, OpenBatch>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param flush sends one slot's batch alone (no checks) and tells it `done`; never rejects.
   * @param lingerMs how long a settlement waits for a reservation of its slot to carry it.
   */
  constructor(
    private readonly flush: (batch: SettlementBatch) => Promise<void>,
    private readonly lingerMs: number,
  ) {}

  /** Queues one request's settlement (keys of one slot); resolves once Redis applied it. */
  add(keys: readonly string[], args: readonly string[]): Promise<void> {
    const slot = slotOf(keys[0] as string);
    let batch = this.bySlot.get(slot);
    if (!batch) {
      const waiters: OpenBatch['waiters'] = [];
      batch = {
        keys: [],
        args: [],
        waiters,
        done(error) {
          for (const waiter of waiters) {
            if (error === undefined) waiter.resolve();
            else waiter.reject(error);
          }
        },
      };
      this.bySlot.set(slot, batch);
    }
    batch.keys.push(...keys);
    batch.args.push(...args);
    const open = batch;
    const applied = new Promise<void>((resolve, reject) => open.waiters.push({ resolve, reject }));
    if (this.timer === undefined) this.timer = setTimeout(() => void this.flushAll(), this.lingerMs);
    return applied;
  }

  /** The batch waiting for `slot`, taken out of the queue (its caller sends it), or undefined. */
  take(slot: string): SettlementBatch | undefined {
    const batch = this.bySlot.get(slot);
    if (!batch) return undefined;
    this.bySlot.delete(slot);
    if (this.bySlot.size === 0 && this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    return batch;
  }

  /** Sends every waiting batch now (the linger ended, or the limiter closes); resolves when all were answered. */
  async flushAll(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const batches = [...this.bySlot.values()];
    this.bySlot.clear();
    await Promise.all(batches.map((batch) => this.flush(batch)));
  }
}
