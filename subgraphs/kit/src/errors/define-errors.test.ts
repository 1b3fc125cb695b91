import { GraphQLError } from 'graphql';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { defineErrors, mergeErrorRegistries } from './define-errors';

const registry = defineErrors({
  GONE: { message: 'It is gone.', final: true, kind: 'state', httpStatus: 410, fields: { id: 'what was asked for' } },
  LATER: { message: 'Try later.', final: false, kind: 'unavailable', httpStatus: 503 },
  DENIED: { message: 'No token.', final: true, kind: 'authentication', httpStatus: 401, failsRequest: true },
  BROKEN: { message: 'Broken.', final: false, kind: 'internal', httpStatus: 500 },
});

describe('defineErrors', () => {
  it('creates GraphQL errors with the code, the default or given message and the declared fields', () => {
    const byDefault = registry.create('GONE');
    expect(byDefault).toBeInstanceOf(GraphQLError);
    expect(byDefault.message).toBe('It is gone.');
    expect(byDefault.extensions).toEqual({ code: 'GONE' });
    expect(registry.create('GONE', 'Budget b1 is gone.', { id: 'b1' }).extensions).toEqual({ code: 'GONE', id: 'b1' });
    // @ts-expect-error LATER declares no fields
    registry.create('LATER', 'x', { id: 'b1' });
    // @ts-expect-error not a code of this registry
    expect(() => registry.create('NOPE')).toThrow(/Unknown error code/);
  });

  it('sets the HTTP status only for a code that fails the whole request', () => {
    expect(registry.create('DENIED').extensions).toEqual({ code: 'DENIED', http: { status: 401 } });
    expect(registry.create('LATER').extensions).toEqual({ code: 'LATER' });
  });

  it('lists its codes and says which are final', () => {
    expect(registry.codes).toEqual(['GONE', 'LATER', 'DENIED', 'BROKEN']);
    expectTypeOf(registry.codes).toEqualTypeOf<readonly ('GONE' | 'LATER' | 'DENIED' | 'BROKEN')[]>();
    expect(registry.isFinal('GONE')).toBe(true);
    expect(registry.isFinal('LATER')).toBe(false);
    expect(registry.isFinal('UNKNOWN')).toBe(false);
    expect(registry.isFinal(undefined)).toBe(false);
    expect(registry.has('GONE')).toBe(true);
    expect(registry.has('toString')).toBe(false);
  });

  it('passes its own client errors, not internal ones, plain errors or unknown codes', () => {
    expect(registry.isClientError(registry.create('GONE'))).toBe(true);
    expect(registry.isClientError(registry.create('BROKEN'))).toBe(false);
    expect(registry.isClientError(new GraphQLError('x', { extensions: { code: 'OTHER' } }))).toBe(false);
    expect(registry.isClientError(new Error('GONE'))).toBe(false);
  });

  it('extends with more codes and replaces a code given again', () => {
    const more = registry.extend({ GONE: { message: 'Deleted.', final: true, kind: 'state', httpStatus: 410, fields: { id: 'x', at: 'when' } }, NEW: { message: 'New.', final: true, kind: 'input', httpStatus: 400 } });
    expect(more.codes).toEqual(['GONE', 'LATER', 'DENIED', 'BROKEN', 'NEW']);
    expect(more.create('GONE', undefined, { at: 'now' }).message).toBe('Deleted.');
    expect(registry.create('GONE').message).toBe('It is gone.');
  });

  it('refuses malformed definitions', () => {
    expect(() => defineErrors({ notUpper: { message: 'x', final: true, kind: 'input', httpStatus: 400 } })).toThrow(/UPPER_SNAKE_CASE/);
    expect(() => defineErrors({ OK_CODE: { message: 'x', final: true, kind: 'input', httpStatus: 200 } })).toThrow(/4xx or 5xx/);
    expect(() => defineErrors({ OK_CODE: { message: ' ', final: true, kind: 'input', httpStatus: 400 } })).toThrow(/no message/);
    expect(() => defineErrors({ OK_CODE: { message: 'x', final: true, kind: 'internal', httpStatus: 500 } })).toThrow(/never final/);
  });
});

describe('mergeErrorRegistries', () => {
  const other = defineErrors({
    GONE: { message: 'Not there.', final: true, kind: 'state', httpStatus: 410, fields: { name: 'what was asked for' } },
    OWN: { message: 'Own.', final: true, kind: 'input', httpStatus: 400 },
  });

  it('holds every code once, with its producers, the first wording and the union of fields', () => {
    const merged = mergeErrorRegistries({ first: registry, second: other });
    expect(merged.codes).toEqual(['GONE', 'LATER', 'DENIED', 'BROKEN', 'OWN']);
    expect(merged.definitions.GONE).toMatchObject({ message: 'It is gone.', producers: ['first', 'second'], fields: { id: 'what was asked for', name: 'what was asked for' } });
    expect(merged.definitions.OWN.producers).toEqual(['second']);
    expect(merged.isFinal('OWN')).toBe(true);
    expect(merged.isFinal('LATER')).toBe(false);
    expect(merged.kindOf('DENIED')).toBe('authentication');
    expect(merged.kindOf('NOPE')).toBeUndefined();
    expectTypeOf(merged.codes).toEqualTypeOf<readonly ('GONE' | 'LATER' | 'DENIED' | 'BROKEN' | 'OWN')[]>();
  });

  it('refuses two producers that disagree on what a client relies on', () => {
    const disagreeing = defineErrors({ GONE: { message: 'x', final: false, kind: 'state', httpStatus: 410 } });
    expect(() => mergeErrorRegistries({ first: registry, second: disagreeing })).toThrow(/GONE: second defines final false/);
    const otherStatus = defineErrors({ LATER: { message: 'x', final: false, kind: 'unavailable', httpStatus: 502 } });
    expect(() => mergeErrorRegistries({ first: registry, second: otherStatus })).toThrow(/LATER: second defines httpStatus 502/);
  });
});
