import { describe, expect, it } from 'vitest';
import { createCachedMembershipDirectory, subscribeMembershipEviction, type MembershipStore } from './membership-directory';
import { MEMBER_CHANGED_CHANNEL } from '@switchyard/events/tenants';

const TENANT_A = '11111111-1111-4111-8111-111111111111';
const TENANT_B = '22222222-2222-4222-8222-222222222222';

function countingStore(initial: Record<string, Array<{ tenantId: string; role: string }>>) {
  const rows = { ...initial };
  let calls = 0;
  let failNext = false;
  const release: Array<() => void> = [];
  let gate: Promise<void> | null = null;
  const store: MembershipStore = {
    async resolveMemberships(subject) {
      calls += 1;
      if (gate) await gate;
      if (failNext) {
        failNext = false;
        throw new Error('database down');
      }
      return rows[subject] ?? [];
    },
  };
  return {
    store,
    rows,
    calls: () => calls,
    failOnce: () => (failNext = true),
    hold: () => {
      gate = new Promise<void>((resolve) => release.push(resolve));
    },
    release: () => {
      gate = null;
      for (const resolve of release.splice(0)) resolve();
    },
  };
}

describe('cached membership directory', () => {
  it('serves fresh answers from memory and drops roles it does not know', async () => {
    const fake = countingStore({ alice: [{ tenantId: TENANT_A, role: 'tenant_admin' }, { tenantId: TENANT_B, role: 'root' }] });
    let now = 0;
    const directory = createCachedMembershipDirectory(fake.store, { freshMs: 1000, staleMs: 10_000, clock: () => now });
    expect(await directory.membershipsOf('alice', null)).toEqual([{ tenantId: TENANT_A, role: 'tenant_admin' }]);
    now = 999;
    await directory.membershipsOf('alice', null);
    expect(fake.calls()).toBe(1);
  });

  it('loads a cold entry once for concurrent callers', async () => {
    const fake = countingStore({ alice: [{ tenantId: TENANT_A, role: 'viewer' }] });
    const directory = createCachedMembershipDirectory(fake.store);
    fake.hold();
    const answers = [directory.membershipsOf('alice', null), directory.membershipsOf('alice', null), directory.membershipsOf('alice', null)];
    fake.release();
    expect(await Promise.all(answers)).toEqual([[{ tenantId: TENANT_A, role: 'viewer' }], [{ tenantId: TENANT_A, role: 'viewer' }], [{ tenantId: TENANT_A, role: 'viewer' }]]);
    expect(fake.calls()).toBe(1);
  });

  it('answers a stale entry at once and reloads it in the background (no wait on the store)', async () => {
    const fake = countingStore({ alice: [{ tenantId: TENANT_A, role: 'viewer' }] });
    let now = 0;
    const directory = createCachedMembershipDirectory(fake.store, { freshMs: 1000, staleMs: 10_000, clock: () => now });
    await directory.membershipsOf('alice', null);
    fake.rows.alice = [{ tenantId: TENANT_A, role: 'tenant_admin' }];
    now = 2000;
    fake.hold();
    // The store is blocked, yet the stale answer comes back: the caller never waited on it.
    expect(await directory.membershipsOf('alice', null)).toEqual([{ tenantId: TENANT_A, role: 'viewer' }]);
    expect(await directory.membershipsOf('alice', null)).toEqual([{ tenantId: TENANT_A, role: 'viewer' }]);
    expect(fake.calls()).toBe(2);
    fake.release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(await directory.membershipsOf('alice', null)).toEqual([{ tenantId: TENANT_A, role: 'tenant_admin' }]);
  });

  it('keeps serving the stale answer when a background reload fails, and waits once it expired', async () => {
    const fake = countingStore({ alice: [{ tenantId: TENANT_A, role: 'viewer' }] });
    let now = 0;
    const errors: unknown[] = [];
    const directory = createCachedMembershipDirectory(fake.store, { freshMs: 1000, staleMs: 10_000, clock: () => now, onReloadError: (error) => errors.push(error) });
    await directory.membershipsOf('alice', null);
    now = 2000;
    fake.failOnce();
    expect(await directory.membershipsOf('alice', null)).toHaveLength(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors).toHaveLength(1);
    fake.rows.alice = [];
    now = 20_000;
    expect(await directory.membershipsOf('alice', null)).toEqual([]);
  });

  it('forgets everything when the bus announces a membership change, even a load already running', async () => {
    const fake = countingStore({ alice: [{ tenantId: TENANT_A, role: 'viewer' }] });
    const directory = createCachedMembershipDirectory(fake.store);
    let handler: ((message: string) => void) | undefined;
    const unsubscribe = await subscribeMembershipEviction(
      {
        subscribe: async (channel, onMessage) => {
          expect(channel).toBe(MEMBER_CHANGED_CHANNEL);
          handler = onMessage;
          return async () => undefined;
        },
      },
      directory,
    );
    await directory.membershipsOf('alice', null);
    fake.rows.alice = [];
    fake.hold();
    const racing = directory.membershipsOf('bob', null);
    handler?.('{}');
    fake.release();
    await racing;
    expect(await directory.membershipsOf('alice', null)).toEqual([]);
    expect(fake.calls()).toBe(3);
    await unsubscribe();
  });

  it('keys the cache by subject and email (case-insensitive)', async () => {
    const fake = countingStore({ alice: [{ tenantId: TENANT_A, role: 'viewer' }] });
    const directory = createCachedMembershipDirectory(fake.store);
    await directory.membershipsOf('alice', 'A@x.test');
    await directory.membershipsOf('alice', 'a@X.test');
    await directory.membershipsOf('alice', null);
    expect(fake.calls()).toBe(2);
  });
});
