import type { ErrorCode } from './errors';

/** Caller-caused ledger errors with stable codes (mapped to GraphQL extensions.code). */
export type AuditErrorCode = Extract<ErrorCode, 'BAD_USER_INPUT' | 'NOT_FOUND'>;

export class AuditError extends Error {
  override readonly name = 'AuditError';
  constructor(
    readonly code: AuditErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}
