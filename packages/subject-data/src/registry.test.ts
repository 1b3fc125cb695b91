import { describe, expect, it } from 'vitest';
import { createSubjectDataRegistry } from './registry';
import type { SubjectDataStore } from './subject-data-store';

function memoryStore(name: string, rows: { tenantId: string; subjectId: string; id: string }[]): SubjectDataStore {
  const matches = (row: { tenantId: string; subjectId: string }, request: { subjectId: string; tenantId?: string }) =>
    row.subjectId === request.subjectId && (request.tenantId === undefined || row.tenantId === request.tenantId);
  return {
    name,
    async exportSubject(request) {
      return rows.filter((row) => matches(row, request)).map((row) => ({ kind: 'row', tenantId: row.tenantId, id: row.id, createdAt: null, updatedAt: null, data: { id: row.id } }));
    },
    async eraseSubject(request) {
      const before = rows.length;
      rows.splice(0, rows.length, ...rows.filter((row) => !matches(row, request)));
      return { erased: before - rows.length };
    },
  };
}

describe('subject data registry', () => {
  it('exports from and erases in every registered store', async () => {
    const registry = createSubjectDataRegistry([memoryStore('one', [{ tenantId: 't1', subjectId: 's', id: 'a' }])]);
    registry.register(memoryStore('two', [{ tenantId: 't2', subjectId: 's', id: 'b' }, { tenantId: 't2', subjectId: 'other', id: 'c' }]));
    expect(registry.names()).toEqual(['one', 'two']);
    const exported = await registry.exportSubject({ subjectId: 's' });
    expect(exported.stores.map((part) => [part.store, part.records.map((record) => record.id)])).toEqual([['one', ['a']], ['two', ['b']]]);
    expect(await registry.eraseSubject({ subjectId: 's' })).toEqual({ subjectId: 's', tenantId: null, complete: true, stores: [{ store: 'one', erased: 1 }, { store: 'two', erased: 1 }] });
    expect((await registry.eraseSubject({ subjectId: 's' })).stores).toEqual([{ store: 'one', erased: 0 }, { store: 'two', erased: 0 }]);
  });

  it('refuses a second store of the same name and an empty or oversized subject id', async () => {
    const registry = createSubjectDataRegistry([memoryStore('one', [])]);
    expect(() => registry.register(memoryStore('one', []))).toThrow(/already registered/);
    await expect(registry.exportSubject({ subjectId: '  ' })).rejects.toThrow(RangeError);
    await expect(registry.eraseSubject({ subjectId: 'x'.repeat(201) })).rejects.toThrow(RangeError);
  });

  it('erases in the other stores when one fails, and says the erasure is incomplete', async () => {
    const failing: SubjectDataStore = { name: 'down', exportSubject: () => Promise.reject(new Error('store down')), eraseSubject: () => Promise.reject(new Error('store down')) };
    const rows = [{ tenantId: 't', subjectId: 's', id: 'a' }];
    const registry = createSubjectDataRegistry([failing, memoryStore('up', rows)]);
    const erasure = await registry.eraseSubject({ subjectId: 's', tenantId: 't' });
    expect(erasure.complete).toBe(false);
    expect(erasure.stores).toEqual([{ store: 'down', error: 'store down' }, { store: 'up', erased: 1 }]);
    expect(rows).toEqual([]);
    // A partial export would look complete to the person who asked: it fails as a whole.
    await expect(registry.exportSubject({ subjectId: 's' })).rejects.toThrow('store down');
  });
});
