import { Deployment } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Service, ServiceAccount } from 'kubernetes-models/v1';
import type { IContainer, IEnvVar, IProbe } from 'kubernetes-models/v1';
import { deployable, MIGRATE_JOB, SUBGRAPHS, type Deployable, type Probe, type SubgraphName } from '../deployables';
import type { BoxName, Values } from './values';
import { BOX_NAMES } from './values';
import { federationManifests } from './federation';
import { containerSecurityContext, podSecurityContext, scratchVolumeMounts, scratchVolumes } from './pod-hardening';

/** Every object the renderer emits: a kubernetes-models instance, so each validates against the API schema offline. */
export type Manifest = Deployment | Service | ServiceAccount | HorizontalPodAutoscaler | PodDisruptionBudget | NetworkPolicy | Job;

export const PART_OF = 'switchyard';
/** The node user of the official Node image (deploy/docker: USER node). */

function resourceName(box: BoxName): string {
  return `${PART_OF}-${box}`;
}

function selectorLabels(box: BoxName): Record<string, string> {
  return { 'app.kubernetes.io/name': box, 'app.kubernetes.io/part-of': PART_OF };
}

function labels(values: Values, box: BoxName, d: Deployable): Record<string, string> {
  return { ...selectorLabels(box), 'app.kubernetes.io/component': d.role, 'switchyard.dev/region': values.region, 'app.kubernetes.io/version': values.image.tag };
}

export function secretEnv(name: string, ref: { name: string; key: string }): IEnvVar {
  return { name, valueFrom: { secretKeyRef: { name: ref.name, key: ref.key } } };
}

export function plainEnv(entries: Record<string, string>): IEnvVar[] {
  return Object.entries(entries).map(([name, value]) => ({ name, value }));
}

/** What each box reads besides its port and bind address (the images set those). */
function boxEnv(values: Values, box: BoxName): IEnvVar[] {
  const s = values.secrets;
  const storage = [secretEnv('DATABASE_URL', s.databaseUrl), secretEnv('DATABASE_TENANT_URL', s.databaseTenantUrl), secretEnv('REDIS_URL', s.redisUrl)];
  const common = plainEnv({
    REDIS_KEY_PREFIX: values.redisKeyPrefix,
    SWITCHYARD_REGION: values.region,
    SHUTDOWN_GRACE_MS: String(values.shutdown.graceMs),
    SHUTDOWN_TIMEOUT_MS: String(values.shutdown.timeoutMs),
  });
  const metrics = [...plainEnv({ METRICS_HOST: '0.0.0.0' }), secretEnv('METRICS_TOKEN', s.metricsToken)];
  switch (box) {
    case 'data-plane':
      return [...storage, ...common, secretEnv('SWITCHYARD_MASTER_KEYS', s.masterKeys), ...plainEnv({ DATA_PLANE_OIDC_ISSUER: values.urls.oidcIssuer }), ...metrics];
    case 'gateway':
      return [
        ...storage,
        ...common,
        secretEnv('INTERNAL_TOKEN_PRIVATE_JWK', s.internalTokenPrivateJwk),
        ...plainEnv({
          OIDC_ISSUER: values.urls.oidcIssuer,
          CORS_ORIGINS: new URL(values.urls.console).origin,
          ...Object.fromEntries(
            Object.entries(SUBGRAPHS).map(([name, { port }]) => [`${name.toUpperCase()}_SUBGRAPH_URL`, `http://${resourceName(name as SubgraphName)}:${port}/graphql`]),
          ),
        }),
      ];
    case 'console':
      return [
        ...plainEnv({
          OIDC_ISSUER: values.urls.oidcIssuer,
          SWITCHYARD_CONSOLE_URL: values.urls.console,
          SWITCHYARD_GATEWAY_URL: values.urls.gateway,
          SWITCHYARD_OPENAI_BASE_URL: values.urls.openaiBaseUrl,
        }),
        secretEnv('SWITCHYARD_SESSION_SECRET', s.consoleSessionSecret),
      ];
    default: {
      const env = [...storage, ...common, secretEnv('INTERNAL_TOKEN_PUBLIC_JWK', s.internalTokenPublicJwk)];
      if (box === 'tenants') env.push(secretEnv('SWITCHYARD_MASTER_KEYS', s.masterKeys));
      if (box === 'audit') {
        env.push(secretEnv('AUDIT_KEYS', s.auditKeys));
        // The central witness keeps this region's checkpoints out of reach of the region's database writers.
        if (values.urls.auditWitness) env.push(...plainEnv({ AUDIT_WITNESS_URL: `${values.urls.auditWitness.replace(/\/$/, '')}/witness/v1/regions/${values.region}/checkpoints` }));
      }
      if (box === 'dp') env.push(...metrics);
      return env;
    }
  }
}

export function probe(p: Probe, port: number, kind: 'liveness' | 'readiness'): IProbe {
  const action = p.kind === 'http' ? { httpGet: { path: p.path, port } } : { tcpSocket: { port } };
  // Readiness reacts within seconds (a draining replica leaves the Service before it stops serving);
  // liveness is slow to fire so a busy event loop is not restarted.
  return kind === 'readiness' ? { ...action, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 2 } : { ...action, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 6 };
}

function container(values: Values, box: BoxName, d: Deployable): IContainer {
  const b = values.boxes[box];
  return {
    name: box,
    image: `${values.image.repository}/${d.name}:${values.image.tag}`,
    imagePullPolicy: values.image.pullPolicy,
    ports: [{ name: 'http', containerPort: d.port }, ...(d.metricsPort ? [{ name: 'metrics', containerPort: d.metricsPort }] : [])],
    env: boxEnv(values, box),
    resources: { requests: { ...b.resources.requests }, limits: { ...b.resources.limits } },
    startupProbe: { ...(d.readiness.kind === 'http' ? { httpGet: { path: d.readiness.path, port: d.port } } : { tcpSocket: { port: d.port } }), periodSeconds: 2, failureThreshold: 90 },
    livenessProbe: probe(d.liveness, d.port, 'liveness'),
    readinessProbe: probe(d.readiness, d.port, 'readiness'),
    securityContext: containerSecurityContext(),
    volumeMounts: [
      ...scratchVolumeMounts(),
      ...(d.build.kind === 'next' ? [{ name: 'next-cache', mountPath: '/app/web/.next/cache' }] : []),
    ],
  };
}

function deploymentOf(values: Values, box: BoxName): Deployment {
  const d = deployable(box);
  const name = resourceName(box);
  return new Deployment({
    metadata: { name, namespace: values.namespace, labels: labels(values, box, d) },
    // No `replicas`: the autoscaler owns the count (its floor is the box's replica count), so
    // re-applying the manifests never resets a scaled-out box.
    spec: {
      revisionHistoryLimit: 5,
      selector: { matchLabels: selectorLabels(box) },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels: labels(values, box, d) },
        spec: {
          serviceAccountName: name,
          automountServiceAccountToken: false,
          // The app drains on SIGTERM: grace (still serving, /readyz 503) + in-flight bound, then 10 s to flush.
          terminationGracePeriodSeconds: Math.ceil((values.shutdown.graceMs + values.shutdown.timeoutMs) / 1000) + 10,
          securityContext: podSecurityContext(),
          topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selectorLabels(box) } }],
          containers: [container(values, box, d)],
          volumes: [
            ...scratchVolumes(),
            ...(d.build.kind === 'next' ? [{ name: 'next-cache', emptyDir: {} }] : []),
          ],
        },
      },
    },
  });
}

function serviceOf(values: Values, box: BoxName): Service {
  const d = deployable(box);
  return new Service({
    metadata: { name: resourceName(box), namespace: values.namespace, labels: labels(values, box, d) },
    spec: {
      selector: selectorLabels(box),
      ports: [{ name: 'http', port: d.port, targetPort: 'http' }, ...(d.metricsPort ? [{ name: 'metrics', port: d.metricsPort, targetPort: 'metrics' }] : [])],
    },
  });
}

function autoscalerOf(values: Values, box: BoxName): HorizontalPodAutoscaler {
  const b = values.boxes[box];
  return new HorizontalPodAutoscaler({
    metadata: { name: resourceName(box), namespace: values.namespace, labels: labels(values, box, deployable(box)) },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: resourceName(box) },
      minReplicas: b.replicas,
      maxReplicas: b.maxReplicas,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: b.targetCpuUtilization } } }],
      // Scale down slowly: replicas drain for up to the shutdown bound, and flapping costs warm caches.
      behavior: { scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } },
    },
  });
}

function disruptionBudgetOf(values: Values, box: BoxName): PodDisruptionBudget {
  return new PodDisruptionBudget({
    metadata: { name: resourceName(box), namespace: values.namespace, labels: labels(values, box, deployable(box)) },
    spec: { maxUnavailable: values.boxes[box].maxUnavailable, selector: { matchLabels: selectorLabels(box) } },
  });
}

function serviceAccountOf(values: Values, box: BoxName): ServiceAccount {
  return new ServiceAccount({ metadata: { name: resourceName(box), namespace: values.namespace, labels: labels(values, box, deployable(box)) }, automountServiceAccountToken: false });
}

const namespaceSelector = (namespace: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } });

/**
 * Ingress rules: nothing reaches a pod unless a policy below lets it. Subgraphs accept only the
 * gateway's pods; the edge boxes and the console accept the ingress namespace; metrics ports accept
 * only the monitoring namespace. (Egress is left open: Postgres, Redis and providers live outside.)
 */
function networkPoliciesOf(values: Values): NetworkPolicy[] {
  const meta = (name: string) => ({ name: `${PART_OF}-${name}`, namespace: values.namespace, labels: { 'app.kubernetes.io/part-of': PART_OF, 'switchyard.dev/region': values.region } });
  const policies = [
    new NetworkPolicy({ metadata: meta('default-deny-ingress'), spec: { podSelector: {}, policyTypes: ['Ingress'] } }),
    new NetworkPolicy({
      metadata: meta('subgraphs-from-gateway-only'),
      spec: {
        podSelector: { matchLabels: { 'app.kubernetes.io/part-of': PART_OF, 'app.kubernetes.io/component': 'subgraph' } },
        policyTypes: ['Ingress'],
        ingress: (Object.keys(SUBGRAPHS) as SubgraphName[]).map((name) => ({
          from: [{ podSelector: { matchLabels: selectorLabels('gateway') } }],
          ports: [{ protocol: 'TCP', port: SUBGRAPHS[name].port }],
        })),
      },
    }),
  ];
  for (const box of ['data-plane', 'gateway', 'console'] as const) {
    policies.push(
      new NetworkPolicy({
        metadata: meta(`${box}-from-ingress`),
        spec: {
          podSelector: { matchLabels: selectorLabels(box) },
          policyTypes: ['Ingress'],
          ingress: [{ from: [namespaceSelector(values.ingressNamespace)], ports: [{ protocol: 'TCP', port: deployable(box).port }] }],
        },
      }),
    );
  }
  for (const box of BOX_NAMES.filter((b) => deployable(b).metricsPort)) {
    policies.push(
      new NetworkPolicy({
        metadata: meta(`${box}-metrics-from-monitoring`),
        spec: {
          podSelector: { matchLabels: selectorLabels(box) },
          policyTypes: ['Ingress'],
          ingress: [{ from: [namespaceSelector(values.monitoringNamespace)], ports: [{ protocol: 'TCP', port: deployable(box).metricsPort ?? 0 }] }],
        },
      }),
    );
  }
  return policies;
}

/**
 * The release's migration Job, named by the image tag (a Job is immutable: each release brings its
 * own, and re-applying the same release changes nothing). Apply it and wait for it to complete
 * before the Deployments (docs/OPERATIONS.md); migrations are idempotent, so a retry is safe.
 */
function migrationJobOf(values: Values): Job {
  const name = `${PART_OF}-migrate-${values.image.tag.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`.slice(0, 63).replace(/-+$/, '');
  const jobLabels = { 'app.kubernetes.io/name': MIGRATE_JOB.name, 'app.kubernetes.io/part-of': PART_OF, 'app.kubernetes.io/component': 'job', 'switchyard.dev/region': values.region, 'app.kubernetes.io/version': values.image.tag };
  return new Job({
    metadata: { name, namespace: values.namespace, labels: jobLabels },
    spec: {
      backoffLimit: 3,
      activeDeadlineSeconds: 900,
      ttlSecondsAfterFinished: 7 * 24 * 3600,
      template: {
        metadata: { labels: jobLabels },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          securityContext: podSecurityContext({ fsGroup: false }),
          containers: [
            {
              name: MIGRATE_JOB.name,
              image: `${values.image.repository}/${MIGRATE_JOB.name}:${values.image.tag}`,
              imagePullPolicy: values.image.pullPolicy,
              env: [secretEnv('DATABASE_URL', values.secrets.migrationDatabaseUrl)],
              resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } },
              securityContext: containerSecurityContext(),
              volumeMounts: scratchVolumeMounts(),
            },
          ],
          volumes: scratchVolumes(),
        },
      },
    },
  });
}

/** Every object of one region's deployment, in apply order (the migration Job first). */
export function renderManifests(values: Values): Manifest[] {
  const out: Manifest[] = [migrationJobOf(values)];
  for (const box of BOX_NAMES) out.push(serviceAccountOf(values, box), serviceOf(values, box), deploymentOf(values, box), autoscalerOf(values, box), disruptionBudgetOf(values, box));
  out.push(...networkPoliciesOf(values));
  out.push(...federationManifests(values));
  return out;
}
