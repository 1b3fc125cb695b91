import { describe, expect, it } from 'vitest';
import { csrfViolation } from './csrf';

const good = {
  contentType: 'application/json; charset=utf-8',
  csrfHeader: '1',
  origin: 'http://127.0.0.1:3000',
  expectedOrigin: 'http://127.0.0.1:3000',
};

describe('csrfViolation', () => {
  it('accepts a same-origin JSON request with the header', () => {
    expect(csrfViolation(good, true)).toBeUndefined();
    expect(csrfViolation({ ...good, origin: null }, true)).toBeUndefined();
  });

  it('refuses a request without the custom header', () => {
    expect(csrfViolation({ ...good, csrfHeader: null }, true)).toMatch(/x-switchyard-csrf/);
    expect(csrfViolation({ ...good, csrfHeader: '0' }, true)).toMatch(/x-switchyard-csrf/);
  });

  it('refuses a cross-origin request', () => {
    expect(csrfViolation({ ...good, origin: 'http://evil.example' }, true)).toMatch(/cross-origin/);
  });

  it('refuses form and text bodies when JSON is required', () => {
    expect(csrfViolation({ ...good, contentType: 'application/x-www-form-urlencoded' }, true)).toMatch(/content-type/);
    expect(csrfViolation({ ...good, contentType: 'text/plain' }, true)).toMatch(/content-type/);
    expect(csrfViolation({ ...good, contentType: null }, true)).toMatch(/content-type/);
    expect(csrfViolation({ ...good, contentType: null }, false)).toBeUndefined();
  });
});
