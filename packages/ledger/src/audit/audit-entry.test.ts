import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auditLeafBytes, auditLeafTextAroundSeq, type AuditEntryFields } from './audit-entry';

/** The v1 leaf encoding as first defined: any change here breaks every stored log. */
const leafV1 = (fields: AuditEntryFields) =>
  JSON.stringify(['switchyard.audit.v1', fields.seq, fields.occurredAt, fields.tenantId, fields.actor, fields.action, fields.subjectKey, fields.payloadDigest]);

const fieldsArbitrary = fc.record({
  seq: fc.maxSafeNat(),
  occurredAt: fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
  tenantId: fc.option(fc.uuid(), { nil: null }),
  actor: fc.string({ unit: 'binary' }),
  action: fc.string(),
  subjectKey: fc.option(fc.string({ unit: 'grapheme' }), { nil: null }),
  payloadDigest: fc.string(),
});

describe('audit leaf bytes', () => {
  it('are the v1 JSON array, whatever the field contents (quotes, control characters, lone surrogates, huge seq)', () => {
    fc.assert(
      fc.property(fieldsArbitrary, (fields) => {
        expect(Buffer.from(auditLeafBytes(fields)).toString('utf8')).toBe(leafV1(fields));
      }),
    );
  });

  it('split around the seq: head ‖ decimal(seq) ‖ tail is the leaf', () => {
    fc.assert(
      fc.property(fieldsArbitrary, (fields) => {
        const { head, tail } = auditLeafTextAroundSeq(fields);
        expect(`${head}${fields.seq}${tail}`).toBe(leafV1(fields));
      }),
    );
  });
});

describe('audit leaf bytes, version 2', () => {
  const v2Arbitrary = fc.record({
    seq: fc.maxSafeNat(),
    occurredAt: fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
    tenantId: fc.option(fc.uuid(), { nil: null }),
    actor: fc.string({ unit: 'binary' }),
    action: fc.string(),
    subjectKey: fc.option(fc.string({ unit: 'grapheme' }), { nil: null }),
    payloadDigest: fc.string(),
    idempotencyKey: fc.string({ unit: 'binary' }),
    dataClassification: fc.string(),
    payloadKeyId: fc.string(),
  });
  const leafV2 = (fields: AuditEntryFields) =>
    JSON.stringify([
      'switchyard.audit.v2',
      fields.seq,
      fields.occurredAt,
      fields.tenantId,
      fields.actor,
      fields.action,
      fields.subjectKey,
      fields.payloadDigest,
      fields.idempotencyKey,
      fields.dataClassification,
      fields.payloadKeyId,
    ]);

  it('commit to every stored field, split around the seq like v1', () => {
    fc.assert(
      fc.property(v2Arbitrary, (fields) => {
        const entry = { ...fields, leafVersion: 2 as const };
        expect(Buffer.from(auditLeafBytes(entry)).toString('utf8')).toBe(leafV2(fields));
        const { head, tail } = auditLeafTextAroundSeq(entry);
        expect(`${head}${fields.seq}${tail}`).toBe(leafV2(fields));
      }),
    );
  });

  it('keep v1 entries on the v1 text even when the v2 fields are at hand', () => {
    fc.assert(
      fc.property(v2Arbitrary, (fields) => {
        expect(Buffer.from(auditLeafBytes({ ...fields, leafVersion: 1 })).toString('utf8')).toBe(leafV1(fields));
      }),
    );
  });

  it('refuse a v2 leaf without the fields it commits to', () => {
    expect(() => auditLeafBytes({ seq: 0, occurredAt: 'x', tenantId: null, actor: 'a', action: 'b', subjectKey: null, payloadDigest: 'd', leafVersion: 2 })).toThrow(TypeError);
  });
});
