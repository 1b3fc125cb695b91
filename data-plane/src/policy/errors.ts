import type { SourcePosition, SourceSpan } from './ast';

export type PolicySourceErrorCode = 'POLICY_SYNTAX_ERROR' | 'POLICY_INVALID';

/**
 * A policy text we refuse, with where and why. `reason` is the sentence without the position;
 * `message` appends ` at line:column` so it can be shown as is.
 */
export class PolicySourceError extends Error {
  readonly code: PolicySourceErrorCode;
  readonly reason: string;
  readonly line: number;
  readonly column: number;
  readonly offset: number;
  /** Length of the offending text in UTF-16 units (at least 1), for underlining it in an editor. */
  readonly length: number;

  constructor(code: PolicySourceErrorCode, reason: string, span: SourceSpan) {
    super(`${reason} at ${span.start.line}:${span.start.column}`);
    this.name = new.target.name;
    this.code = code;
    this.reason = reason;
    this.line = span.start.line;
    this.column = span.start.column;
    this.offset = span.start.offset;
    this.length = Math.max(1, span.end.offset - span.start.offset);
  }

  get position(): SourcePosition {
    return { offset: this.offset, line: this.line, column: this.column };
  }
}

/** The text is not in the policy language (lexing or grammar). */
export class PolicyParseError extends PolicySourceError {
  constructor(reason: string, span: SourceSpan) {
    super('POLICY_SYNTAX_ERROR', reason, span);
  }
}

/** The text parses but cannot be a sound policy set (unknown variable, type mismatch, duplicate id, …). */
export class PolicyValidationError extends PolicySourceError {
  constructor(reason: string, span: SourceSpan) {
    super('POLICY_INVALID', reason, span);
  }
}

/**
 * Thrown by compiled policies while deciding, and caught by `decide`, which records the policy as
 * erroring. Deliberately not an `Error`: a missing attribute is an expected outcome on the hot path
 * and capturing a stack trace for it would cost more than the decision itself.
 */
export class PolicyEvaluationFault {
  constructor(readonly message: string) {}
}
