import { describe, expect, it } from 'vitest';
import { createAccountDirectory } from './accounts';

const users = [
  { sub: 'admin', login: 'admin', password: 'pw1', email: 'admin@example.com', roles: ['platform_admin' as const] },
  { sub: 'u2', login: 'Ada', password: 'pw2', email: 'ada@example.com', roles: ['viewer' as const], tenantId: 't1' },
];

describe('account directory', () => {
  it('authenticates by login or email, case-insensitively, and never returns the password', async () => {
    const directory = await createAccountDirectory(users);
    await expect(directory.authenticate('ADMIN', 'pw1')).resolves.toEqual({ sub: 'admin', login: 'admin', email: 'admin@example.com', roles: ['platform_admin'] });
    await expect(directory.authenticate(' ada@example.com ', 'pw2')).resolves.toMatchObject({ sub: 'u2', tenantId: 't1' });
    expect(directory.find('u2')).not.toHaveProperty('password');
  });

  it('refuses wrong passwords, unknown logins and other users\u2019 passwords', async () => {
    const directory = await createAccountDirectory(users);
    await expect(directory.authenticate('admin', 'pw2')).resolves.toBeNull();
    await expect(directory.authenticate('admin', '')).resolves.toBeNull();
    await expect(directory.authenticate('ghost', 'pw1')).resolves.toBeNull();
  });

  it('rejects duplicate subjects', async () => {
    await expect(createAccountDirectory([users[0]!, users[0]!])).rejects.toThrow(/duplicate/);
  });
});
