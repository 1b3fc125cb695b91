import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ApiError, ERROR_REGISTRY } from './errors';
import { renderErrorsMarkdown } from './errors-doc';

describe('error registry', () => {
  it('ERRORS.md is generated from the registry (run `npm run -w @switchyard/data-plane errors:doc`)', () => {
    const committed = readFileSync(fileURLToPath(new URL('../ERRORS.md', import.meta.url)), 'utf8');
    expect(committed).toBe(renderErrorsMarkdown());
    for (const code of Object.keys(ERROR_REGISTRY)) expect(committed).toContain(`\`${code}\``);
  });

  it('every code has a fitting client or server status and a message', () => {
    for (const [code, entry] of Object.entries(ERROR_REGISTRY)) {
      expect(entry.status, code).toBeGreaterThanOrEqual(400);
      expect(entry.status, code).toBeLessThan(600);
      expect(entry.message.length, code).toBeGreaterThan(10);
    }
  });

  it('serialises to the OpenAI error shape', () => {
    const error = new ApiError('invalid_request', { param: 'temperature', message: 'temperature: expected number' });
    expect(error.status).toBe(400);
    expect(error.toBody()).toEqual({
      error: { message: 'temperature: expected number', type: 'invalid_request_error', param: 'temperature', code: 'invalid_request' },
    });
    expect(new ApiError('rate_limit_exceeded', { retryAfterSeconds: 0.2 }).retryAfterSeconds).toBe(1);
  });
});
