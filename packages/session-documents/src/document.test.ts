import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { checkUpdate, compactState, decodeBase64, documentJson, encodeBase64, mergeUpdates, missingSince, stateVectorOf } from './document';

const b64 = (bytes: Uint8Array) => encodeBase64(bytes);

describe('checkUpdate', () => {
  const valid = () => {
    const doc = new Y.Doc();
    doc.getText('notes').insert(0, 'hi');
    return Y.encodeStateAsUpdate(doc);
  };

  it('accepts a Yjs update and returns its bytes', () => {
    const update = valid();
    expect(checkUpdate(b64(update), 1024)).toEqual({ ok: true, update });
  });

  it('refuses what is too large before decoding it', () => {
    expect(checkUpdate('A'.repeat(2000), 1024)).toMatchObject({ ok: false, reason: 'too_large' });
    expect(checkUpdate(b64(new Uint8Array(1025)), 1024)).toMatchObject({ ok: false, reason: 'too_large' });
  });

  it('refuses loose base64, garbage and truncated updates as malformed, an empty update as empty', () => {
    expect(checkUpdate('not base64!', 1024)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(checkUpdate('AQID', 1024)).toMatchObject({ ok: false, reason: 'malformed' });
    const update = valid();
    expect(checkUpdate(b64(update.slice(0, update.length - 3)), 1024)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(checkUpdate(b64(Y.encodeStateAsUpdate(new Y.Doc())), 1024)).toMatchObject({ ok: false, reason: 'empty' });
  });

  it('never throws on hostile bytes, and whatever it accepts merges into a document (fuzz)', () => {
    const base = valid();
    const mutated = fc.tuple(fc.nat({ max: base.length - 1 }), fc.integer({ min: 0, max: 255 })).map(([at, byte]) => {
      const copy = base.slice();
      copy[at] = byte;
      return copy;
    });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), mutated), (bytes) => {
        const checked = checkUpdate(b64(bytes), 4096);
        if (checked.ok) {
          expect(() => documentJson(mergeUpdates([base, checked.update]))).not.toThrow();
          expect(() => compactState([base, checked.update])).not.toThrow();
        } else {
          expect(['malformed', 'empty', 'too_large']).toContain(checked.reason);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('decodeBase64', () => {
  it('is strict: padding, alphabet and length', () => {
    expect(decodeBase64('aGk=')).toEqual(new Uint8Array([104, 105]));
    expect(decodeBase64('aGk')).toBeNull();
    expect(decodeBase64('aG k=')).toBeNull();
    expect(decodeBase64('aGk=aGk=')).toBeNull();
  });
});

describe('documentJson', () => {
  it('renders each top-level type by what it holds', () => {
    const doc = new Y.Doc();
    doc.getText('notes').insert(0, 'hello');
    doc.getMap('scratchpad').set('plan', { steps: 2 });
    doc.getArray('todo').push(['a', 'b']);
    const fragment = doc.getXmlFragment('outline');
    const paragraph = new Y.XmlElement('p');
    paragraph.insert(0, [new Y.XmlText('x')]);
    fragment.insert(0, [paragraph]);
    doc.getText('emptied').insert(0, 'gone');
    doc.getText('emptied').delete(0, 4);
    expect(documentJson(Y.encodeStateAsUpdate(doc))).toEqual({ emptied: null, notes: 'hello', outline: '<p>x</p>', scratchpad: { plan: { steps: 2 } }, todo: ['a', 'b'] });
  });
});

describe('compaction', () => {
  it('keeps an update whose dependency has not arrived yet, and applies it once the dependency comes', () => {
    const doc = new Y.Doc();
    const text = doc.getText('notes');
    const updates: Uint8Array[] = [];
    doc.on('update', (update: Uint8Array) => updates.push(update));
    text.insert(0, 'first ');
    text.insert(6, 'second');
    const [first, second] = updates as [Uint8Array, Uint8Array];
    const compacted = compactState([second]);
    expect(documentJson(compacted)).toEqual({});
    expect(documentJson(compactState([compacted, first]))).toEqual({ notes: 'first second' });
    expect(documentJson(mergeUpdates([compacted, first]))).toEqual({ notes: 'first second' });
  });
});

describe('state vectors', () => {
  it('give a client exactly what it is missing', () => {
    const server = new Y.Doc();
    server.getText('notes').insert(0, 'abc');
    const client = new Y.Doc();
    Y.applyUpdate(client, Y.encodeStateAsUpdate(server));
    server.getText('notes').insert(3, 'def');
    const state = Y.encodeStateAsUpdate(server);
    const missing = missingSince(state, Y.encodeStateVector(client));
    expect(missing.byteLength).toBeLessThan(state.byteLength);
    Y.applyUpdate(client, missing);
    expect(client.getText('notes').toString()).toBe('abcdef');
    expect(stateVectorOf(state)).toEqual(Y.encodeStateVector(server));
  });
});
