import { DETECTORS, PII_TYPES, type PiiType } from './detectors';

export interface RedactionPolicy {
  /** Types to redact; types not listed pass through. */
  types: ReadonlySet<PiiType>;
}

export const REDACT_ALL: RedactionPolicy = { types: new Set(PII_TYPES) };

export type PiiCounts = Partial<Record<PiiType, number>>;

export interface Redaction {
  text: string;
  counts: PiiCounts;
}

interface Finding {
  start: number;
  end: number;
  type: PiiType;
  priority: number;
}

/** Every validated finding, overlaps resolved by detector priority then position. */
export function findPii(text: string, policy: RedactionPolicy = REDACT_ALL): Array<{ start: number; end: number; type: PiiType }> {
  const findings: Finding[] = [];
  DETECTORS.forEach((detector, priority) => {
    if (!policy.types.has(detector.type)) return;
    for (const match of text.matchAll(detector.pattern)) {
      if (detector.validate && !detector.validate(match[0])) continue;
      findings.push({ start: match.index, end: match.index + match[0].length, type: detector.type, priority });
    }
  });
  findings.sort((a, b) => a.priority - b.priority || a.start - b.start);
  const kept: Finding[] = [];
  for (const finding of findings) {
    if (kept.every((other) => finding.end <= other.start || finding.start >= other.end)) kept.push(finding);
  }
  return kept.sort((a, b) => a.start - b.start).map(({ start, end, type }) => ({ start, end, type }));
}

/** Replace each finding with `[REDACTED:<TYPE>]` and count them by type. */
export function redact(text: string, policy: RedactionPolicy = REDACT_ALL): Redaction {
  const findings = findPii(text, policy);
  if (findings.length === 0) return { text, counts: {} };
  const counts: PiiCounts = {};
  let out = '';
  let cursor = 0;
  for (const finding of findings) {
    out += text.slice(cursor, finding.start) + `[REDACTED:${finding.type.toUpperCase()}]`;
    cursor = finding.end;
    counts[finding.type] = (counts[finding.type] ?? 0) + 1;
  }
  return { text: out + text.slice(cursor), counts };
}
