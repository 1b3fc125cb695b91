#!/usr/bin/env -S npx tsx
/**
 * switchyard-slo-rules --slos slos.json [--pairs pairs.json] [--interval 30s] [--out rules.yml]
 *
 * Prometheus recording and alerting rules for SLO definitions (a JSON array of SLOs as the GraphQL
 * API returns them: id, tenantId, route, kind, objective, windowDays and the kind's threshold).
 * The file is JSON, which is YAML: Prometheus and promtool read it as a rule file, so no YAML
 * writer is needed. SLOs no metric measures are listed on stderr and left out.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { sloDefinitionSchema } from '../slo-definition';
import { generateRules } from './rules';

const pairSchema = z.object({
  name: z.enum(['fast', 'slow']),
  severity: z.enum(['page', 'ticket']),
  longSeconds: z.number().int().positive(),
  shortSeconds: z.number().int().positive(),
  budgetShare: z.number().positive().max(1),
});

function main(argv: string[]): number {
  const { values } = parseArgs({ args: argv, options: { slos: { type: 'string' }, pairs: { type: 'string' }, interval: { type: 'string' }, out: { type: 'string' } } });
  if (values.slos === undefined) {
    process.stderr.write('usage: switchyard-slo-rules --slos slos.json [--pairs pairs.json] [--interval 30s] [--out rules.yml]\n');
    return 2;
  }
  const slos = z.array(sloDefinitionSchema).safeParse(JSON.parse(readFileSync(values.slos, 'utf8')));
  if (!slos.success) {
    process.stderr.write(`invalid SLO definitions:\n${z.prettifyError(slos.error)}\n`);
    return 1;
  }
  const pairs = values.pairs === undefined ? undefined : z.array(pairSchema).min(1).parse(JSON.parse(readFileSync(values.pairs, 'utf8')));
  const { file, skipped } = generateRules(slos.data, { ...(pairs ? { pairs } : {}), ...(values.interval ? { interval: values.interval } : {}) });
  for (const s of skipped) process.stderr.write(`skipped SLO ${s.id}: ${s.reason}\n`);
  const text = `${JSON.stringify(file, null, 2)}\n`;
  if (values.out === undefined) process.stdout.write(text);
  else writeFileSync(values.out, text);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
