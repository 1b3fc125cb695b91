import type { ConsoleError } from '../../../../lib/console-error';
import styles from './secrets.module.css';

/** A refused change, as the API worded it, with its stable code (e.g. FORBIDDEN, BAD_USER_INPUT, NOT_CONFIGURED). */
export function SecretActionError({ error, testId }: { error: ConsoleError; testId: string }) {
  return (
    <div className="alert" role="alert" data-testid={testId}>
      {error.message} <span className={styles.code} data-testid={`${testId}-code`}>({error.code})</span>
    </div>
  );
}
