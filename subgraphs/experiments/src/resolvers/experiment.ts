import type { ExperimentsContext } from '../context';
import type { ExperimentRecord } from '../experiment-record';
import { armsOf, statisticsOf } from '../lifecycle/experiment-statistics';
import { guardrailsSchema } from '../lifecycle/guardrails';
import { mean, variance } from '../sequential/arm-summary';
import { challengerMetadataSchema } from '../experiments-service';
import { canonicalActor } from '@switchyard/subgraph-kit/audit-actor';

const upper = (value: string): string => value.toUpperCase();
const challengerOf = (record: ExperimentRecord) => record.challenger as { model: string; provider?: string };
const stats = (record: ExperimentRecord, { loaders }: ExperimentsContext) => loaders.statsByExperiment.load({ tenantId: record.tenantId, experimentId: record.id });

/** Stored lower-case values are the schema's enums in upper case. */
export const experimentResolvers = {
  challengerModel: (record: ExperimentRecord) => challengerOf(record).model,
  challengerProvider: (record: ExperimentRecord) => challengerOf(record).provider ?? null,
  challengerMetadata: (record: ExperimentRecord) => (record.challengerMetadata ? challengerMetadataSchema.parse(record.challengerMetadata) : null),
  judge: (record: ExperimentRecord) => {
    const judge = record.judge as { model?: unknown; provider?: unknown } | null | undefined;
    return judge && typeof judge.model === 'string' ? { model: judge.model, provider: typeof judge.provider === 'string' ? judge.provider : null } : null;
  },
  mode: (record: ExperimentRecord) => upper(record.mode),
  unit: (record: ExperimentRecord) => upper(record.unit),
  metric: (record: ExperimentRecord) => upper(record.metric),
  status: (record: ExperimentRecord) => upper(record.status),
  guardrails: (record: ExperimentRecord) => guardrailsSchema.parse(record.guardrails),
  createdBy: (record: ExperimentRecord) => canonicalActor(record.createdBy),
  async arms(record: ExperimentRecord, _args: unknown, context: ExperimentsContext) {
    const arms = armsOf(await stats(record, context));
    return (['champion', 'challenger'] as const).map((arm) => ({
      arm,
      label: arm === 'champion' ? 'champion' : challengerOf(record).model,
      metrics: Object.entries(arms[arm]).map(([metric, summary]) => ({
        metric: upper(metric),
        samples: summary.n,
        mean: mean(summary),
        standardDeviation: Math.sqrt(variance(summary)),
      })),
    }));
  },
  async statistics(record: ExperimentRecord, _args: unknown, context: ExperimentsContext) {
    const result = statisticsOf(record, armsOf(await stats(record, context)));
    const finite = (x: number) => (Number.isFinite(x) ? x : null);
    return {
      metric: upper(result.metric),
      estimate: result.test.estimate,
      lower: finite(result.test.lower),
      upper: finite(result.test.upper),
      eValue: Math.min(result.test.eValue, Number.MAX_VALUE),
      pValue: result.test.pValue,
      championSamples: result.test.samples.champion,
      challengerSamples: result.test.samples.challenger,
      decision: result.decision,
    };
  },
};
