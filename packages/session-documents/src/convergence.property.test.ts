/**
 * Two replicas (data planes) hold the same session document; agents edit it on both at once.
 * Every update reaches the other replica and the durable store in any order, some twice. Whatever
 * the interleaving, both replicas and the stored (merged, compacted) state end up the same.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { compactState, documentJson, mergeUpdates } from './document';

type Edit =
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'set'; key: string; value: number }
  | { kind: 'remove'; key: string }
  | { kind: 'push'; value: string };

const editArbitrary: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(40), text: fc.string({ minLength: 1, maxLength: 6 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(40), length: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ kind: fc.constant('set' as const), key: fc.constantFrom('a', 'b', 'c'), value: fc.integer() }),
  fc.record({ kind: fc.constant('remove' as const), key: fc.constantFrom('a', 'b', 'c') }),
  fc.record({ kind: fc.constant('push' as const), value: fc.string({ maxLength: 4 }) }),
);

function apply(doc: Y.Doc, edit: Edit): void {
  const text = doc.getText('notes');
  const map = doc.getMap<number>('scratchpad');
  switch (edit.kind) {
    case 'insert':
      text.insert(Math.min(edit.at, text.length), edit.text);
      return;
    case 'delete': {
      const at = Math.min(edit.at, text.length);
      text.delete(at, Math.min(edit.length, text.length - at));
      return;
    }
    case 'set':
      map.set(edit.key, edit.value);
      return;
    case 'remove':
      map.delete(edit.key);
      return;
    case 'push':
      doc.getArray<string>('log').push([edit.value]);
  }
}

/** One replica: a document, and the updates its local edits produced (what it publishes). */
function replica(): { doc: Y.Doc; outbox: Uint8Array[] } {
  const doc = new Y.Doc();
  const outbox: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array, origin: unknown) => {
    if (origin !== 'remote') outbox.push(update);
  });
  return { doc, outbox };
}

type Step = { kind: 'edit'; who: 0 | 1; edit: Edit } | { kind: 'deliver'; to: 0 | 1; count: number; duplicate: boolean };

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('edit' as const), who: fc.constantFrom(0 as const, 1 as const), edit: editArbitrary }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deliver' as const), to: fc.constantFrom(0 as const, 1 as const), count: fc.integer({ min: 1, max: 5 }), duplicate: fc.boolean() }) },
);

describe('session documents converge', () => {
  it('two replicas editing concurrently, updates delivered in any order and duplicated, end identical (and equal to the store)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(0, 1), editArbitrary), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (edits, seed) => {
          const replicas = [replica(), replica()] as const;
          // Each replica edits its own copy with no knowledge of the other's edits yet: fully concurrent.
          for (const [who, edit] of edits) apply(replicas[who].doc, edit);
          const published = replicas.map((r) => [...r.outbox]);
          const all = [...(published[0] ?? []), ...(published[1] ?? [])];
          // Random delivery order with duplicates, per receiving replica (a seeded shuffle).
          let state = seed;
          const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
          const delivery = (updates: Uint8Array[]) => {
            const withDuplicates = [...updates, ...updates.filter(() => random() < 0.3)];
            for (let i = withDuplicates.length - 1; i > 0; i -= 1) {
              const j = Math.floor(random() * (i + 1));
              [withDuplicates[i], withDuplicates[j]] = [withDuplicates[j] as Uint8Array, withDuplicates[i] as Uint8Array];
            }
            return withDuplicates;
          };
          for (const update of delivery(published[1] ?? [])) Y.applyUpdate(replicas[0].doc, update, 'remote');
          for (const update of delivery(published[0] ?? [])) Y.applyUpdate(replicas[1].doc, update, 'remote');
          const [left, right] = replicas.map((r) => documentJson(Y.encodeStateAsUpdate(r.doc)));
          expect(left).toEqual(right);
          expect(replicas[0].doc.getText('notes').toString()).toBe(replicas[1].doc.getText('notes').toString());
          // The store merges whatever it was sent (in its own order, duplicates included) and compacts.
          const stored = delivery(all);
          expect(documentJson(mergeUpdates(stored))).toEqual(left);
          expect(documentJson(compactState(stored))).toEqual(left);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('edits interleaved with partial, reordered, repeated deliveries (later edits build on some remote ones) still converge', () => {
    fc.assert(
      fc.property(fc.array(stepArbitrary, { minLength: 1, maxLength: 60 }), (steps) => {
        const replicas = [replica(), replica()] as const;
        // What each replica has been sent but not yet applied, in arrival order (taken from either end).
        const inbox: [Uint8Array[], Uint8Array[]] = [[], []];
        const everything: Uint8Array[] = [];
        const flushOutboxes = () => {
          replicas.forEach((r, index) => {
            for (const update of r.outbox.splice(0)) {
              everything.push(update);
              inbox[index === 0 ? 1 : 0].push(update);
            }
          });
        };
        for (const step of steps) {
          if (step.kind === 'edit') apply(replicas[step.who].doc, step.edit);
          else {
            const queue = inbox[step.to];
            for (let i = 0; i < step.count && queue.length > 0; i += 1) {
              // Out of order: newest first on odd counts.
              const update = (step.count % 2 === 1 ? queue.pop() : queue.shift()) as Uint8Array;
              Y.applyUpdate(replicas[step.to].doc, update, 'remote');
              if (step.duplicate) Y.applyUpdate(replicas[step.to].doc, update, 'remote');
            }
          }
          flushOutboxes();
        }
        // Everything still in flight arrives, newest first.
        inbox.forEach((queue, to) => {
          for (const update of queue.reverse()) Y.applyUpdate(replicas[to as 0 | 1].doc, update, 'remote');
        });
        const left = documentJson(Y.encodeStateAsUpdate(replicas[0].doc));
        expect(documentJson(Y.encodeStateAsUpdate(replicas[1].doc))).toEqual(left);
        expect(documentJson(compactState([...everything].reverse()))).toEqual(left);
        expect(documentJson(mergeUpdates([...everything, ...everything.slice(0, 3)]))).toEqual(left);
      }),
      { numRuns: 300 },
    );
  });
});
