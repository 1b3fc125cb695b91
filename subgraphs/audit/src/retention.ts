import type { DataClassification } from '@switchyard/events/audit';

/** How long a payload of each classification is kept (ms); null = forever. Leaf hashes are kept forever. */
export type RetentionPolicy = Readonly<Record<DataClassification, number | null>>;

const DAY_MS = 24 * 60 * 60 * 1000;

export const DEFAULT_RETENTION: RetentionPolicy = {
  public: null,
  internal: 365 * DAY_MS,
  confidential: 90 * DAY_MS,
  restricted: 30 * DAY_MS,
};

/** For each classification with a TTL: payloads that occurred before the cutoff have expired. */
export function expiryCutoffs(policy: RetentionPolicy, now: Date): Array<{ classification: DataClassification; before: Date }> {
  return (Object.entries(policy) as Array<[DataClassification, number | null]>)
    .filter((entry): entry is [DataClassification, number] => entry[1] !== null)
    .map(([classification, ttlMs]) => ({ classification, before: new Date(now.getTime() - ttlMs) }));
}
