import { describe, expect, it } from 'vitest';
import { DEFAULT_ADMIN_PASSWORD, DEMO_SECOND_ADMIN, secondAdmin } from './demo-accounts';

const EMAIL = 'second-admin@switchyard.local';
const base = { SWITCHYARD_ADMIN_PASSWORD: DEFAULT_ADMIN_PASSWORD, SWITCHYARD_SECOND_ADMIN_LOGIN: undefined, SWITCHYARD_SECOND_ADMIN_PASSWORD: undefined, SWITCHYARD_SECOND_ADMIN_EMAIL: EMAIL };

describe('secondAdmin', () => {
  it('seeds the demo reviewer on the embedded default so a policy can be approved without a restart', () => {
    expect(secondAdmin(base)).toEqual({ ...DEMO_SECOND_ADMIN, email: EMAIL, demo: true });
  });

  it('uses the named second admin when both login and password are set', () => {
    expect(secondAdmin({ ...base, SWITCHYARD_ADMIN_PASSWORD: 'a-real-password', SWITCHYARD_SECOND_ADMIN_LOGIN: 'bob', SWITCHYARD_SECOND_ADMIN_PASSWORD: 'bob-password' })).toEqual({
      login: 'bob',
      password: 'bob-password',
      email: EMAIL,
      demo: false,
    });
  });

  it('seeds no demo password once the operator chose their own admin password', () => {
    expect(secondAdmin({ ...base, SWITCHYARD_ADMIN_PASSWORD: 'a-real-password' })).toBeNull();
  });

  it('does not fill in half a configuration with demo values', () => {
    expect(secondAdmin({ ...base, SWITCHYARD_SECOND_ADMIN_LOGIN: 'bob' })).toBeNull();
  });
});
