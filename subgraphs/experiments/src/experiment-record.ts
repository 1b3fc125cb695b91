/** A stored experiment, as the service and resolvers see it. */
export interface ExperimentRecord {
  id: string;
  tenantId: string;
  routeId: string;
  routeName: string;
  challenger: unknown;
  /** Registered price, context window and region (JSON); null or absent: none given. */
  challengerMetadata?: unknown;
  /** The automatic judge ({ model, provider? } JSON); null or absent: none. */
  judge?: unknown;
  mode: string;
  percent: number;
  unit: string;
  metric: string;
  guardrails: unknown;
  alpha: number;
  tau2: number;
  autoPromote: boolean;
  status: string;
  statusReason: string | null;
  baselineVersion: number;
  promotedVersion: number | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface ArmStatRecord {
  experimentId: string;
  arm: string;
  metric: string;
  n: number;
  sum: number;
  sumSq: number;
}

export type Metric = 'quality' | 'latency' | 'cost';
export const METRICS: readonly Metric[] = ['quality', 'latency', 'cost'];
