import { ConsoleErrorCode, describeError, type ConsoleError } from '../lib/console-error';
import { loginPath } from '../lib/return-to';
import styles from './error-panel.module.css';

/** The one way the console shows a failed API call: what happened, what to do, and the code. */
export function ErrorPanel({ error, retryHref }: { error: ConsoleError; retryHref: string }) {
  const { title, hint } = describeError(error);
  return (
    <section className={styles.panel} role="alert" data-testid="error-panel">
      <h1>{title}</h1>
      <p className={styles.message}>{error.message}</p>
      <p className="muted">{hint}</p>
      <p className={styles.code} data-testid="error-code">
        code: {error.code}
      </p>
      <div className={styles.actions}>
        {error.code === ConsoleErrorCode.unauthenticated ? (
          <a className="button" href={loginPath(retryHref)}>
            Sign in again
          </a>
        ) : (
          <a className="button" href={retryHref}>
            Retry
          </a>
        )}
        <a className="button buttonSecondary" href="/tenants">
          All tenants
        </a>
      </div>
    </section>
  );
}
