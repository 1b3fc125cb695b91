// The contract every SubjectDataStore passes (one suite, every implementation: DESIGN.md §6).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubjectDataStore } from './subject-data-store';

export interface SubjectDataStoreHarness {
  store: SubjectDataStore;
  /** A fresh tenant id the store accepts. */
  newTenant(): Promise<string>;
  /** Stores one item about `subjectId` in `tenantId` (through the store's ordinary write path). */
  seed(tenantId: string, subjectId: string): Promise<void>;
  close(): Promise<void>;
}

export function subjectDataStoreContract(label: string, open: () => Promise<SubjectDataStoreHarness>): void {
  describe(`SubjectDataStore contract: ${label}`, () => {
    let harness: SubjectDataStoreHarness;
    beforeAll(async () => {
      harness = await open();
    });
    afterAll(async () => {
      await harness?.close();
    });
    const subject = () => `subject-${randomUUID()}`;

    it('exports what it holds about a subject, in every tenant, and nobody else’s', async () => {
      const [a, b] = [await harness.newTenant(), await harness.newTenant()];
      const [alice, bob] = [subject(), subject()];
      await harness.seed(a, alice);
      await harness.seed(b, alice);
      await harness.seed(a, bob);
      const records = await harness.store.exportSubject({ subjectId: alice });
      expect(new Set(records.map((record) => record.tenantId))).toEqual(new Set([a, b]));
      expect(JSON.stringify(records)).not.toContain(bob);
      for (const record of records) expect(() => JSON.stringify(record.data)).not.toThrow();
      expect((await harness.store.exportSubject({ subjectId: alice, tenantId: a })).every((record) => record.tenantId === a)).toBe(true);
    });

    it('erases a subject’s data, idempotently, leaving other subjects and tenants alone', async () => {
      const [a, b] = [await harness.newTenant(), await harness.newTenant()];
      const [alice, bob] = [subject(), subject()];
      await harness.seed(a, alice);
      await harness.seed(b, alice);
      await harness.seed(a, bob);
      const scoped = await harness.store.eraseSubject({ subjectId: alice, tenantId: a });
      expect(scoped.erased).toBeGreaterThan(0);
      expect((await harness.store.exportSubject({ subjectId: alice })).map((record) => record.tenantId)).toEqual([b]);
      expect((await harness.store.eraseSubject({ subjectId: alice })).erased).toBeGreaterThan(0);
      expect(await harness.store.exportSubject({ subjectId: alice })).toEqual([]);
      expect(await harness.store.eraseSubject({ subjectId: alice })).toEqual({ erased: 0 });
      expect((await harness.store.exportSubject({ subjectId: bob })).length).toBeGreaterThan(0);
    });

    it('knows nothing of an unknown subject', async () => {
      expect(await harness.store.exportSubject({ subjectId: subject() })).toEqual([]);
      expect(await harness.store.eraseSubject({ subjectId: subject() })).toEqual({ erased: 0 });
    });
  });
}
