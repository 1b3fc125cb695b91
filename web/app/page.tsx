import { redirect } from 'next/navigation';
import { readSession } from '../lib/session-store';
import { signInErrorMessage } from '../lib/sign-in-errors';
import styles from './page.module.css';

export default async function LandingPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  if (await readSession()) redirect('/tenants');
  const error = signInErrorMessage((await searchParams).error);
  return (
    <main>
      <section className={styles.hero}>
        <h1>Switchyard console</h1>
        <p>Manage tenants and API keys, and watch what your LLM traffic costs as it happens.</p>
        <ul className={styles.features}>
          <li>Create tenants and issue OpenAI-compatible API keys</li>
          <li>Revoke keys instantly</li>
          <li>Live cost per minute and per model</li>
        </ul>
        <a className="button" href="/auth/login" data-testid="sign-in">
          Sign in
        </a>
        {error ? (
          <div className="alert" role="alert" data-testid="sign-in-error">
            {error}
          </div>
        ) : null}
      </section>
    </main>
  );
}
