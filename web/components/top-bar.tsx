import Link from 'next/link';
import styles from './top-bar.module.css';

export function TopBar({ email }: { email: string | undefined }) {
  return (
    <header className={styles.bar}>
      <Link href={email ? '/tenants' : '/'} className={styles.brand}>
        <span className={styles.mark} aria-hidden="true" />
        Switchyard
      </Link>
      <nav className={styles.nav} aria-label="Main">
        {email ? <Link href="/tenants">Tenants</Link> : null}
      </nav>
      {email ? (
        <div className={styles.user}>
          <span className={styles.email} data-testid="user-email" title={email}>
            {email}
          </span>
          <form action="/auth/logout" method="post">
            <button type="submit" className={styles.signOut} data-testid="sign-out">
              Sign out
            </button>
          </form>
        </div>
      ) : null}
    </header>
  );
}
