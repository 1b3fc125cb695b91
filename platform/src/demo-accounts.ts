import type { PlatformEnv } from './config';

/** The demo admin password `npm start` falls back to: its presence means the embedded default. */
export const DEFAULT_ADMIN_PASSWORD = 'switchyard-admin';
export const DEMO_SECOND_ADMIN = { login: 'reviewer', password: 'switchyard-reviewer' } as const;

export interface SecondAdmin {
  login: string;
  password: string;
  email: string;
  /** True when seeded by the embedded default (the banner then prints its password). */
  demo: boolean;
}

type SecondAdminEnv = Pick<PlatformEnv, 'SWITCHYARD_ADMIN_PASSWORD' | 'SWITCHYARD_SECOND_ADMIN_LOGIN' | 'SWITCHYARD_SECOND_ADMIN_PASSWORD' | 'SWITCHYARD_SECOND_ADMIN_EMAIL'>;

/**
 * The second platform admin on the bundled issuer. Policies need a second admin to approve
 * (four eyes), so the embedded default (demo admin password unchanged) seeds one; a start that set
 * its own admin password gets one only when it names it (SWITCHYARD_SECOND_ADMIN_LOGIN/_PASSWORD).
 */
export function secondAdmin(env: SecondAdminEnv): SecondAdmin | null {
  if (env.SWITCHYARD_SECOND_ADMIN_LOGIN && env.SWITCHYARD_SECOND_ADMIN_PASSWORD) {
    return { login: env.SWITCHYARD_SECOND_ADMIN_LOGIN, password: env.SWITCHYARD_SECOND_ADMIN_PASSWORD, email: env.SWITCHYARD_SECOND_ADMIN_EMAIL, demo: false };
  }
  if (env.SWITCHYARD_ADMIN_PASSWORD !== DEFAULT_ADMIN_PASSWORD || env.SWITCHYARD_SECOND_ADMIN_LOGIN || env.SWITCHYARD_SECOND_ADMIN_PASSWORD) return null;
  return { ...DEMO_SECOND_ADMIN, email: env.SWITCHYARD_SECOND_ADMIN_EMAIL, demo: true };
}
