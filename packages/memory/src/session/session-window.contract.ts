import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SessionQuotaExceededError, type SessionTurn, type SessionWindow, type SessionWindowLimits, type StoredResponse } from './session-window';

/** Limits small enough for the suite to reach them. Implementations under test must be made with these. */
export const CONTRACT_LIMITS: SessionWindowLimits = {
  ttlSeconds: 3600,
  maxTurns: 5,
  maxWindowBytes: 400,
  maxResponsesPerTenant: 3,
  maxBytesPerTenant: 4_000,
};

export function storedResponse(overrides: Partial<StoredResponse> = {}): StoredResponse {
  const id = overrides.id ?? `resp_${randomUUID().replaceAll('-', '')}`;
  return {
    id,
    sessionId: id,
    previousResponseId: null,
    createdAt: 1_700_000_000,
    model: 'mock-gpt',
    instructions: null,
    status: 'completed',
    input: [{ role: 'user', content: 'hello' }],
    outputText: 'hi there',
    usage: { inputTokens: 5, outputTokens: 3 },
    context: [
      { role: 'user', content: 'hello' },
      { role: 'assistant', content: 'hi there' },
    ],
    metadata: null,
    ...overrides,
  };
}

const turn = (content: string, role: SessionTurn['role'] = 'user'): SessionTurn => ({ role, content });

/**
 * Every SessionWindow implementation passes this suite (in-process, Redis, and either behind the
 * durable snapshot). `make` returns a window with CONTRACT_LIMITS; tenants are fresh per test.
 */
export function runSessionWindowContract(name: string, make: () => SessionWindow | Promise<SessionWindow>, tenant: () => string | Promise<string> = () => randomUUID()) {
  describe(`SessionWindow contract: ${name}`, () => {
    it('stores a response and reads it back exactly', async () => {
      const window = await make();
      const tenantId = await tenant();
      const response = storedResponse({ metadata: { topic: 'ünïcode ✓' } });
      await window.putResponse(tenantId, response);
      expect(await window.getResponse(tenantId, response.id)).toEqual(response);
    });

    it("never shows one tenant's response to another (read, delete)", async () => {
      const window = await make();
      const [a, b] = [await tenant(), await tenant()];
      const response = storedResponse();
      await window.putResponse(a, response);
      expect(await window.getResponse(b, response.id)).toBeNull();
      expect(await window.deleteResponse(b, response.id)).toBe(false);
      expect(await window.getResponse(a, response.id)).toEqual(response);
    });

    it('deletes a response once; it is gone and no longer counted', async () => {
      const window = await make();
      const tenantId = await tenant();
      const response = storedResponse();
      await window.putResponse(tenantId, response);
      expect((await window.usage(tenantId)).responses).toBe(1);
      expect(await window.deleteResponse(tenantId, response.id)).toBe(true);
      expect(await window.deleteResponse(tenantId, response.id)).toBe(false);
      expect(await window.getResponse(tenantId, response.id)).toBeNull();
      expect(await window.usage(tenantId)).toEqual({ responses: 0, bytes: 0 });
    });

    it('answers null for an unknown id', async () => {
      const window = await make();
      expect(await window.getResponse(await tenant(), 'resp_nope')).toBeNull();
    });

    it('refuses a response past the per-tenant count quota, storing nothing, and counts a replaced id once', async () => {
      const window = await make();
      const tenantId = await tenant();
      const stored = [storedResponse(), storedResponse(), storedResponse()];
      for (const response of stored) await window.putResponse(tenantId, response);
      // Replacing an existing id is not a new response.
      await window.putResponse(tenantId, { ...stored[0]!, outputText: 'replaced' });
      const extra = storedResponse();
      const refusal = await window.putResponse(tenantId, extra).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(SessionQuotaExceededError);
      expect((refusal as SessionQuotaExceededError).limit).toBe('responses');
      expect(await window.getResponse(tenantId, extra.id)).toBeNull();
      expect((await window.usage(tenantId)).responses).toBe(3);
      // Another tenant has its own quota.
      await window.putResponse(await tenant(), extra);
      // Deleting one makes room.
      await window.deleteResponse(tenantId, stored[1]!.id);
      await window.putResponse(tenantId, extra);
    });

    it('refuses a response past the per-tenant byte quota', async () => {
      const window = await make();
      const tenantId = await tenant();
      const big = storedResponse({ outputText: 'x'.repeat(CONTRACT_LIMITS.maxBytesPerTenant) });
      const refusal = await window.putResponse(tenantId, big).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(SessionQuotaExceededError);
      expect((refusal as SessionQuotaExceededError).limit).toBe('bytes');
      expect(await window.usage(tenantId)).toEqual({ responses: 0, bytes: 0 });
    });

    it('keeps the quota exact under concurrent writers', async () => {
      const window = await make();
      const tenantId = await tenant();
      const results = await Promise.allSettled(Array.from({ length: 10 }, () => window.putResponse(tenantId, storedResponse())));
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(CONTRACT_LIMITS.maxResponsesPerTenant);
      expect((await window.usage(tenantId)).responses).toBe(CONTRACT_LIMITS.maxResponsesPerTenant);
    });

    it('appends turns per session, oldest first, and returns the newest N', async () => {
      const window = await make();
      const tenantId = await tenant();
      const session = randomUUID();
      await window.appendTurns(tenantId, session, [turn('one'), turn('two', 'assistant')]);
      const after = await window.appendTurns(tenantId, session, [turn('three')]);
      expect(after.map((t) => t.content)).toEqual(['one', 'two', 'three']);
      expect(await window.recentTurns(tenantId, session, 2)).toEqual([turn('two', 'assistant'), turn('three')]);
      expect(await window.recentTurns(tenantId, session, 0)).toEqual([]);
      expect(await window.recentTurns(tenantId, randomUUID(), 5)).toEqual([]);
      expect(await window.recentTurns(await tenant(), session, 5)).toEqual([]);
    });

    it("deletes a session's window, only that session's and only in its tenant", async () => {
      const window = await make();
      const [a, b] = [await tenant(), await tenant()];
      await window.appendTurns(a, 'forget-me', [turn('one'), turn('two', 'assistant')]);
      await window.appendTurns(a, 'keep-me', [turn('kept')]);
      expect(await window.deleteSession(b, 'forget-me')).toBe(false);
      expect(await window.recentTurns(a, 'forget-me', 10)).toHaveLength(2);
      expect(await window.deleteSession(a, 'forget-me')).toBe(true);
      expect(await window.recentTurns(a, 'forget-me', 10)).toEqual([]);
      expect(await window.deleteSession(a, 'forget-me')).toBe(false);
      expect((await window.recentTurns(a, 'keep-me', 10)).map((t) => t.content)).toEqual(['kept']);
    });

    it('trims a window to its turn and byte limits, keeping the newest turn whole', async () => {
      const window = await make();
      const tenantId = await tenant();
      const session = randomUUID();
      const many = Array.from({ length: 8 }, (_, i) => turn(`t${i}`));
      const trimmed = await window.appendTurns(tenantId, session, many);
      expect(trimmed.map((t) => t.content)).toEqual(['t3', 't4', 't5', 't6', 't7']);
      const long = turn('y'.repeat(CONTRACT_LIMITS.maxWindowBytes * 2));
      expect(await window.appendTurns(tenantId, session, [long])).toEqual([long]);
      const afterLong = await window.appendTurns(tenantId, session, [turn('z'.repeat(150)), turn('w'.repeat(150))]);
      expect(afterLong.map((t) => t.content[0])).toEqual(['z', 'w']);
    });

    it('loses no turn under concurrent appends to one session', async () => {
      const window = await make();
      const tenantId = await tenant();
      const session = randomUUID();
      await Promise.all([0, 1, 2, 3].map((i) => window.appendTurns(tenantId, session, [turn(`c${i}`)])));
      const turns = await window.recentTurns(tenantId, session, 10);
      expect(turns.map((t) => t.content).sort()).toEqual(['c0', 'c1', 'c2', 'c3']);
    });

    it("deletes a session: its window and its stored responses, not other sessions' nor other tenants'", async () => {
      const window = await make();
      const tenantId = await tenant();
      const [session, other] = [randomUUID(), randomUUID()];
      const first = storedResponse({ sessionId: session });
      const second = storedResponse({ sessionId: session, previousResponseId: first.id });
      const kept = storedResponse({ sessionId: other });
      for (const response of [first, second, kept]) await window.putResponse(tenantId, response);
      await window.appendTurns(tenantId, session, [turn('forget me')]);
      await window.appendTurns(tenantId, other, [turn('keep me')]);

      const stranger = await tenant();
      expect(await window.deleteSession(stranger, session)).toBe(false);
      expect(await window.getResponse(tenantId, first.id)).toEqual(first);

      expect(await window.deleteSession(tenantId, session)).toBe(true);
      expect(await window.getResponse(tenantId, first.id)).toBeNull();
      expect(await window.getResponse(tenantId, second.id)).toBeNull();
      expect(await window.recentTurns(tenantId, session, 5)).toEqual([]);
      expect(await window.getResponse(tenantId, kept.id)).toEqual(kept);
      expect(await window.recentTurns(tenantId, other, 5)).toEqual([turn('keep me')]);
      // The deleted responses no longer count against the quota.
      expect((await window.usage(tenantId)).responses).toBe(1);
      expect(await window.deleteSession(tenantId, session)).toBe(false);
    });
  });
}
