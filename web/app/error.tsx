'use client';

import styles from '../components/error-panel.module.css';

/**
 * Last-resort boundary for unexpected failures. Expected API failures are rendered by the pages
 * themselves (ErrorPanel); this never shows a stack trace, only Next's opaque digest for the logs.
 */
export default function ErrorPage({ error, retry }: { error: unknown; retry: () => void }) {
  const digest = error instanceof Error && 'digest' in error && typeof error.digest === 'string' ? error.digest : undefined;
  return (
    <main>
      <section className={styles.panel} role="alert" data-testid="error-panel">
        <h1>Something went wrong</h1>
        <p className={styles.message}>The console could not load this page. The API or the network may be briefly unavailable.</p>
        {digest ? (
          <p className={styles.code} data-testid="error-code">
            reference: {digest}
          </p>
        ) : null}
        <div className={styles.actions}>
          <button type="button" className="button" onClick={() => retry()}>
            Retry
          </button>
          <a className="button buttonSecondary" href="/tenants">
            All tenants
          </a>
        </div>
      </section>
    </main>
  );
}
