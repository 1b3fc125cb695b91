import { randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { Role } from '../internal-token';

const scrypt = promisify(scryptCallback) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

/** A person who can sign in at the bundled issuer. */
export interface IssuerUser {
  /** Stable subject (`sub`) of every token issued for this user. */
  sub: string;
  /** What the user types in the login field (their email works too). */
  login: string;
  password: string;
  email: string;
  roles: Role[];
  /** Tenant the user belongs to; null/absent for platform-level users. */
  tenantId?: string | null;
}

export type IssuerAccount = Omit<IssuerUser, 'password'>;

export interface AccountDirectory {
  /** The account when login + password match, otherwise null (same answer for unknown login and wrong password). */
  authenticate(login: string, password: string): Promise<IssuerAccount | null>;
  find(sub: string): IssuerAccount | undefined;
}

interface StoredUser {
  account: IssuerAccount;
  salt: Buffer;
  hash: Buffer;
}

const KEY_LENGTH = 32;

/** Passwords are kept only as scrypt hashes in memory and compared in constant time. */
export async function createAccountDirectory(users: readonly IssuerUser[]): Promise<AccountDirectory> {
  const bySub = new Map<string, StoredUser>();
  for (const { password, ...account } of users) {
    if (bySub.has(account.sub)) throw new Error(`duplicate issuer user sub "${account.sub}"`);
    const salt = randomBytes(16);
    bySub.set(account.sub, { account, salt, hash: await scrypt(password, salt, KEY_LENGTH) });
  }
  // Hashing against a dummy keeps unknown logins as slow as wrong passwords.
  const dummySalt = randomBytes(16);

  return {
    async authenticate(login, password) {
      const wanted = login.trim().toLowerCase();
      const user = [...bySub.values()].find(
        ({ account }) => account.login.toLowerCase() === wanted || account.email.toLowerCase() === wanted,
      );
      const candidate = await scrypt(password, user?.salt ?? dummySalt, KEY_LENGTH);
      if (!user || !timingSafeEqual(candidate, user.hash)) return null;
      return user.account;
    },
    find(sub) {
      return bySub.get(sub)?.account;
    },
  };
}
