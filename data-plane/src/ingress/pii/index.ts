export { redact, findPii, REDACT_ALL } from './redact';
export type { Redaction, RedactionPolicy, PiiCounts } from './redact';
export { PII_TYPES } from './detectors';
export type { PiiType } from './detectors';
