import { describe, expect, it } from 'vitest';
import { DatabaseError } from '@switchyard/db';
import { authenticate } from './authenticate';

describe('gateway authentication while the database is unreachable', () => {
  it('answers SERVICE_UNAVAILABLE (retryable), never UNAUTHENTICATED (final: the console would sign the person out)', async () => {
    const down = new DatabaseError('DATABASE_UNAVAILABLE', 'The database is unreachable or dropped the connection; retry shortly.');
    const result = await authenticate('Bearer some.jwt.token', () => Promise.reject(down));
    expect(result).toMatchObject({ ok: false, code: 'SERVICE_UNAVAILABLE' });
  });

  it('still answers UNAUTHENTICATED for a token the verifier refuses', async () => {
    const result = await authenticate('Bearer some.jwt.token', () => Promise.reject(Object.assign(new Error('expired'), { code: 'UNAUTHENTICATED' })));
    expect(result).toMatchObject({ ok: false, code: 'UNAUTHENTICATED' });
  });
});
