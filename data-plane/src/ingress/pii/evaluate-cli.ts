// Prints the redactor's recall and false-positive rate on the generated labelled corpus:
//   npx tsx data-plane/src/ingress/pii/evaluate-cli.ts [seed]
import { formatScore, scoreRedactor } from './evaluate-redactor';
import { generateCorpus } from './labelled-corpus';

const seed = Number(process.argv[2] ?? 20261126);
const corpus = generateCorpus({ seed, perType: 1000, negatives: 8000 });
process.stdout.write(`PII redactor on ${corpus.length} generated samples (seed ${seed}):\n\n${formatScore(scoreRedactor(corpus))}\n`);
