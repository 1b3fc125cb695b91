import { z } from 'zod';

/**
 * The values a deployment of one region is rendered from: values/values.yaml (everything shared)
 * with values/values-region-<x>.yaml merged over it. Secrets are never values: only the names of
 * Kubernetes Secrets (and keys in them) that the cluster already holds.
 */
const quantity = z.string().regex(/^\d+(\.\d+)?(m|Ki|Mi|Gi)?$/, 'a Kubernetes quantity like 500m or 512Mi');
export const dnsLabel = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a DNS label (lower-case letters, digits, dashes)').max(63);

export const secretRef = z.strictObject({ name: dnsLabel, key: z.string().regex(/^[-._a-zA-Z0-9]+$/) });

export const boxSchema = z
  .strictObject({
    /** The one replica count of this box: the Deployment's replicas and the autoscaler's floor. */
    replicas: z.number().int().min(1).max(100),
    /** The autoscaler's ceiling. */
    maxReplicas: z.number().int().min(1).max(200),
    targetCpuUtilization: z.number().int().min(10).max(100).default(70),
    /** Pods that may be down at once during voluntary disruptions (drains, upgrades). */
    maxUnavailable: z.number().int().min(1).default(1),
    resources: z.strictObject({
      requests: z.strictObject({ cpu: quantity, memory: quantity }),
      limits: z.strictObject({ memory: quantity, cpu: quantity.optional() }),
    }),
  })
  .refine((b) => b.maxReplicas >= b.replicas, { message: 'maxReplicas must be at least replicas' });

const regionName = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/);
const cidr = z.string().regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$|^[0-9a-fA-F:]+\/\d{1,3}$/, 'a CIDR like 10.20.0.0/16');

/**
 * One coordinator per region: exactly one replica (two would both sign this region's deltas from
 * half the observations each), its keys and token from Secrets, its peers' URLs, and who may reach
 * it: the balancer's namespace and the peer regions' egress addresses.
 */
const federationValues = z.strictObject({
  peers: z.array(z.strictObject({ region: regionName, baseUrl: z.url() })).max(16),
  /** The platform routes whose stats are shared; tenants' own routes never are. */
  routes: z.array(z.string().min(1).max(200)).min(1),
  intervalMs: z.number().int().min(100).default(5_000),
  pollMs: z.number().int().min(100).default(5_000),
  /** The region that writes the platform's price book, the same in every region (DESIGN.md §10); unset: not replicated. */
  platformWriter: dnsLabel.optional(),
  /** Addresses the peer regions' coordinators connect from (their NAT egress), besides the balancer. */
  peerCidrs: z.array(cidr).max(32).default([]),
  resources: z.strictObject({
    requests: z.strictObject({ cpu: quantity, memory: quantity }),
    limits: z.strictObject({ memory: quantity, cpu: quantity.optional() }),
  }),
  secrets: z.strictObject({
    /** This region's Ed25519 private JWK. */
    signingKey: secretRef,
    /** Its key id (in the same Secret, so a rotation changes both at once; peers trust the public half under this id). */
    keyId: secretRef,
    /** JSON: region → [{ keyId, jwk }] of the peers' public keys (two per region during a rotation). */
    trustedKeys: secretRef,
    /** The bearer token peers present to each other. */
    token: secretRef,
  }),
});

export const BOX_NAMES = ['data-plane', 'gateway', 'tenants', 'policy', 'experiments', 'cost', 'audit', 'dp', 'slo', 'memory', 'console'] as const;
export type BoxName = (typeof BOX_NAMES)[number];

export const valuesSchema = z.strictObject({
  region: dnsLabel,
  namespace: dnsLabel,
  image: z.strictObject({
    /** Images are `<repository>/<deployable>:<tag>` (deploy/docker/<deployable>.Dockerfile). */
    repository: z.string().min(1),
    tag: z.string().regex(/^[\w][\w.-]{0,127}$/),
    pullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).default('IfNotPresent'),
  }),
  /** Pods here may scrape the operator metrics ports (labelled namespace). */
  monitoringNamespace: dnsLabel,
  /** Pods here (the ingress controller / load balancer) may reach the data plane, gateway and console. */
  ingressNamespace: dnsLabel,
  urls: z.strictObject({
    oidcIssuer: z.url(),
    console: z.url(),
    gateway: z.url(),
    openaiBaseUrl: z.url(),
    /** The central audit witness (values-central.yaml): the audit box posts this region's checkpoints to it. */
    auditWitness: z.url().optional(),
  }),
  redisKeyPrefix: z.string().default(''),
  shutdown: z.strictObject({ graceMs: z.number().int().min(0), timeoutMs: z.number().int().min(0) }),
  secrets: z.strictObject({
    databaseUrl: secretRef,
    /** The migrating login (creates roles and tables; README.md), used only by the migration Job. */
    migrationDatabaseUrl: secretRef,
    databaseTenantUrl: secretRef,
    redisUrl: secretRef,
    masterKeys: secretRef,
    internalTokenPrivateJwk: secretRef,
    internalTokenPublicJwk: secretRef,
    metricsToken: secretRef,
    auditKeys: secretRef,
    consoleSessionSecret: secretRef,
  }),
  boxes: z.strictObject(Object.fromEntries(BOX_NAMES.map((name) => [name, boxSchema])) as Record<BoxName, typeof boxSchema>),
  /** The region's federation coordinator (k8s/federation.ts); absent: a one-region deployment, none rendered. */
  federation: federationValues.optional(),
});

export type Values = z.output<typeof valuesSchema>;
export type BoxValues = Values['boxes'][BoxName];

/** Plain-object deep merge: the region file overrides the shared one key by key (arrays replace). */
export function mergeValues(base: unknown, overlay: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(overlay)) return overlay === undefined ? base : overlay;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overlay)) out[key] = mergeValues(base[key], value);
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses merged values, or throws one error listing every problem. */
export function parseValues(merged: unknown): Values {
  const result = valuesSchema.safeParse(merged);
  if (!result.success) throw new Error(`Invalid values:\n${result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  return result.data;
}
