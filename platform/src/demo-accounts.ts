import type { IssuerUser } from '@switchyard/identity';
import type { Person } from '@switchyard/subgraph-tenants';
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

type IssuerEnv = SecondAdminEnv & Pick<PlatformEnv, 'SWITCHYARD_ADMIN_EMAIL' | 'SWITCHYARD_MEMBER_LOGIN' | 'SWITCHYARD_MEMBER_PASSWORD' | 'SWITCHYARD_MEMBER_EMAIL'>;

/** The bundled issuer's accounts besides its admin (whose subject is always `admin`). */
export function bundledIssuerExtraUsers(env: IssuerEnv): IssuerUser[] {
  const reviewer = secondAdmin(env);
  return [
    ...(reviewer ? [{ sub: `second-admin:${reviewer.login}`, login: reviewer.login, password: reviewer.password, email: reviewer.email, roles: ['platform_admin' as const] }] : []),
    // No platform role: the members table alone decides (roles in a token never grant tenant access).
    ...(env.SWITCHYARD_MEMBER_LOGIN && env.SWITCHYARD_MEMBER_PASSWORD
      ? [{ sub: `member:${env.SWITCHYARD_MEMBER_LOGIN}`, login: env.SWITCHYARD_MEMBER_LOGIN, password: env.SWITCHYARD_MEMBER_PASSWORD, email: env.SWITCHYARD_MEMBER_EMAIL, roles: [] }]
      : []),
  ];
}

/** Everyone who can sign in at the bundled issuer, by e-mail: the tenants subgraph adds members by address from this. */
export function bundledIssuerPeople(env: IssuerEnv): Person[] {
  return [{ subject: 'admin', email: env.SWITCHYARD_ADMIN_EMAIL }, ...bundledIssuerExtraUsers(env).map((user) => ({ subject: user.sub, email: user.email }))];
}
