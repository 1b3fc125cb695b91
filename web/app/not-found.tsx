import Link from 'next/link';
import styles from '../components/error-panel.module.css';

export default function NotFound() {
  return (
    <main>
      <section className={styles.panel} data-testid="not-found">
        <h1>Not found</h1>
        <p className={styles.message}>There is nothing at this address, or you do not have access to it.</p>
        <div className={styles.actions}>
          <Link className="button" href="/tenants">
            All tenants
          </Link>
        </div>
      </section>
    </main>
  );
}
