import { PII_TYPES, type PiiType } from './detectors';
import type { LabelledSample } from './labelled-corpus';
import { findPii } from './redact';

export interface RedactorScore {
  /** Per type: positives found with the right type and the whole value covered. */
  recall: Record<PiiType, { found: number; total: number; recall: number }>;
  overallRecall: number;
  /** Share of negative samples on which anything was flagged. */
  falsePositiveRate: number;
  falsePositivesByDistractor: Record<string, number>;
  negatives: number;
}

export function scoreRedactor(samples: readonly LabelledSample[]): RedactorScore {
  const recall = Object.fromEntries(PII_TYPES.map((type) => [type, { found: 0, total: 0, recall: 0 }])) as RedactorScore['recall'];
  let negatives = 0;
  let falsePositives = 0;
  const falsePositivesByDistractor: Record<string, number> = {};
  for (const sample of samples) {
    const findings = findPii(sample.text);
    if (sample.label) {
      const start = sample.text.indexOf(sample.label.value);
      const end = start + sample.label.value.length;
      const entry = recall[sample.label.type];
      entry.total += 1;
      if (findings.some((finding) => finding.type === sample.label?.type && finding.start <= start && finding.end >= end)) entry.found += 1;
    } else {
      negatives += 1;
      if (findings.length > 0) {
        falsePositives += 1;
        const kind = sample.distractor ?? 'unknown';
        falsePositivesByDistractor[kind] = (falsePositivesByDistractor[kind] ?? 0) + 1;
      }
    }
  }
  let found = 0;
  let total = 0;
  for (const entry of Object.values(recall)) {
    entry.recall = entry.total === 0 ? 1 : entry.found / entry.total;
    found += entry.found;
    total += entry.total;
  }
  return { recall, overallRecall: total === 0 ? 1 : found / total, falsePositiveRate: negatives === 0 ? 0 : falsePositives / negatives, falsePositivesByDistractor, negatives };
}

export function formatScore(score: RedactorScore): string {
  const rows = PII_TYPES.map((type) => {
    const entry = score.recall[type];
    return `| ${type} | ${entry.found}/${entry.total} | ${(entry.recall * 100).toFixed(1)}% |`;
  });
  const fp = Object.entries(score.falsePositivesByDistractor)
    .map(([kind, count]) => `${kind}: ${count}`)
    .join(', ');
  return [
    '| type | found | recall |',
    '|---|---|---|',
    ...rows,
    `| **all** | | **${(score.overallRecall * 100).toFixed(1)}%** |`,
    '',
    `False-positive rate: ${(score.falsePositiveRate * 100).toFixed(2)}% of ${score.negatives} look-alike samples${fp ? ` (${fp})` : ''}.`,
  ].join('\n');
}
