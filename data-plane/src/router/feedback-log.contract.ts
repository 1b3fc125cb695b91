import { afterEach, describe, expect, it } from 'vitest';
import type { FeedbackLog } from './feedback-log';

const served = (tenantId: string, upstream = 'p/m') => ({ tenantId, route: 'r', upstream });

/** Every FeedbackLog implementation passes this suite. */
export function runFeedbackLogContract(name: string, create: () => FeedbackLog & { close?(): Promise<void> }): void {
  describe(`feedback log contract: ${name}`, () => {
    const opened: (FeedbackLog & { close?(): Promise<void> })[] = [];
    const open = () => {
      const log = create();
      opened.push(log);
      return log;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((log) => log.close?.()));
    });

    it('hands an entry out once', async () => {
      const log = open();
      await log.remember('req-1', served('t1'));
      expect(await log.take('req-1', 't1')).toEqual(served('t1'));
      expect(await log.take('req-1', 't1')).toBeUndefined();
    });

    it('keeps the experiment arm that served the request (feedback is also that arm quality)', async () => {
      const log = open();
      const entry = { ...served('t1'), alias: 'client-id', experiment: { experimentId: '0a5c8f9e-1b2d-4c3e-8f70-6a5b4c3d2e10', arm: 'challenger' as const } };
      await log.remember('req-x', entry);
      expect(await log.take('req-x', 't1')).toEqual(entry);
    });

    it("makes another tenant's request look unknown, without consuming it", async () => {
      const log = open();
      await log.remember('req-2', served('t1'));
      expect(await log.take('req-2', 't2')).toBeUndefined();
      expect(await log.take('req-2', 't1')).toEqual(served('t1'));
    });

    it('keeps two tenants that use the same request id apart: neither overwrites the other', async () => {
      const log = open();
      await log.remember('shared-id', served('t1', 'p/a'));
      await log.remember('shared-id', served('t2', 'p/b'));
      expect(await log.take('shared-id', 't1')).toEqual(served('t1', 'p/a'));
      expect(await log.take('shared-id', 't2')).toEqual(served('t2', 'p/b'));
    });

    it('keeps the alias of an entry (the other id of the same request)', async () => {
      const log = open();
      await log.remember('req-5', { ...served('t1'), alias: 'client-5' });
      expect(await log.take('req-5', 't1')).toEqual({ ...served('t1'), alias: 'client-5' });
    });

    it('answers unknown ids, hostile ids included, with undefined', async () => {
      const log = open();
      expect(await log.take('never-seen', 't1')).toBeUndefined();
      expect(await log.take('*', 't1')).toBeUndefined();
      expect(await log.take('x'.repeat(200), 't1:req')).toBeUndefined();
    });

    it('keeps the latest entry when a request id is remembered twice', async () => {
      const log = open();
      await log.remember('req-3', served('t1', 'p/a'));
      await log.remember('req-3', served('t1', 'p/b'));
      expect(await log.take('req-3', 't1')).toEqual(served('t1', 'p/b'));
    });

    it('counts concurrent feedback for one request once', async () => {
      const log = open();
      await log.remember('req-4', served('t1'));
      const taken = await Promise.all(Array.from({ length: 10 }, () => log.take('req-4', 't1')));
      expect(taken.filter((entry) => entry !== undefined)).toHaveLength(1);
    });
  });
}
