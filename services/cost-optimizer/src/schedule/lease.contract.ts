import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { LeasePort } from './lease';

/** Every LeasePort implementation passes this suite (in-process and Redis). */
export function runLeaseContract(name: string, make: () => LeasePort) {
  describe(`LeasePort contract: ${name}`, () => {
    const ports: LeasePort[] = [];
    const port = () => {
      const made = make();
      ports.push(made);
      return made;
    };
    afterAll(async () => {
      await Promise.all(ports.map((p) => p.close()));
    });
    const TTL = 60_000;

    it('one holder at a time: a held lease is nobody else’s, nor the holder’s to take twice', async () => {
      const leases = port();
      const lease = randomUUID();
      const a = await leases.acquire(lease, 'a', TTL);
      expect(a).toMatchObject({ name: lease, holder: 'a' });
      expect(await leases.acquire(lease, 'b', TTL)).toBeNull();
      expect(await leases.acquire(lease, 'a', TTL)).toBeNull();
      expect(await leases.renew(a!, TTL)).toBe(true);
    });

    it('a released lease is free again, with a greater token; the old holder can neither renew nor release it', async () => {
      const leases = port();
      const lease = randomUUID();
      const a = (await leases.acquire(lease, 'a', TTL))!;
      expect(await leases.release(a)).toBe(true);
      const b = (await leases.acquire(lease, 'b', TTL))!;
      expect(b.token).toBeGreaterThan(a.token);
      expect(await leases.renew(a, TTL)).toBe(false);
      expect(await leases.release(a)).toBe(false);
      // b still holds it.
      expect(await leases.acquire(lease, 'c', TTL)).toBeNull();
      expect(await leases.renew(b, TTL)).toBe(true);
    });

    it('a lease past its TTL is free; the stalled holder learns it lost the lease by its token', async () => {
      const leases = port();
      const lease = randomUUID();
      const a = (await leases.acquire(lease, 'a', 30))!;
      // Poll until it expired (a deadline, not a sleep: how fast is not what this checks).
      const deadline = Date.now() + 10_000;
      let b = await leases.acquire(lease, 'b', TTL);
      while (b === null && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        b = await leases.acquire(lease, 'b', TTL);
      }
      expect(b).not.toBeNull();
      expect(b!.token).toBeGreaterThan(a.token);
      expect(await leases.renew(a, TTL)).toBe(false);
      expect(await leases.release(a)).toBe(false);
      expect(await leases.acquire(lease, 'c', TTL)).toBeNull();
    });

    it('a renewed lease lives past its first TTL', async () => {
      const leases = port();
      const lease = randomUUID();
      const a = (await leases.acquire(lease, 'a', 40))!;
      expect(await leases.renew(a, TTL)).toBe(true);
      // Well past the first TTL: still held (the renewal moved its end), still a's.
      await new Promise((resolve) => setTimeout(resolve, 120));
      expect(await leases.acquire(lease, 'b', TTL)).toBeNull();
      expect(await leases.renew(a, TTL)).toBe(true);
    });

    it('of many replicas racing for a free lease exactly one gets it', async () => {
      const leases = port();
      const lease = randomUUID();
      const results = await Promise.all(Array.from({ length: 25 }, (_, i) => leases.acquire(lease, `r${i}`, TTL)));
      expect(results.filter((r) => r !== null)).toHaveLength(1);
    });

    it('tokens only grow, per name; names are independent', async () => {
      const leases = port();
      const [x, y] = [randomUUID(), randomUUID()];
      const other = (await leases.acquire(y, 'other', TTL))!;
      const tokens: number[] = [];
      for (let i = 0; i < 5; i++) {
        const lease = (await leases.acquire(x, `h${i}`, TTL))!;
        tokens.push(lease.token);
        expect(await leases.release(lease)).toBe(true);
      }
      for (let i = 1; i < tokens.length; i++) expect(tokens[i]).toBeGreaterThan(tokens[i - 1]!);
      // y was held throughout, untouched by x's comings and goings.
      expect(await leases.acquire(y, 'someone', TTL)).toBeNull();
      expect(await leases.renew(other, TTL)).toBe(true);
    });
  });
}
