import { Deployment } from 'kubernetes-models/apps/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Service, ServiceAccount } from 'kubernetes-models/v1';
import type { IEnvVar } from 'kubernetes-models/v1';
import { deployable, type Deployable } from '../deployables';
import { CENTRAL_BOXES, type CentralBox, type CentralValues } from './central-values';
import { containerSecurityContext, podSecurityContext, scratchVolumeMounts, scratchVolumes } from './pod-hardening';
import { PART_OF, plainEnv, probe, secretEnv, type Manifest } from './render';

const resourceName = (box: CentralBox) => `${PART_OF}-${box}`;
const selectorLabels = (box: CentralBox) => ({ 'app.kubernetes.io/name': box, 'app.kubernetes.io/part-of': PART_OF });
const labels = (values: CentralValues, box: CentralBox, d: Deployable) => ({ ...selectorLabels(box), 'app.kubernetes.io/component': d.role, 'switchyard.dev/region': values.region, 'app.kubernetes.io/version': values.image.tag });

function envOf(values: CentralValues, box: CentralBox): IEnvVar[] {
  const s = values.secrets;
  if (box === 'cost-optimizer') {
    // The lease of its replicas lives in the first region's Redis (OPTIMIZER_LEASE_REDIS_URL unset).
    return [secretEnv('OPTIMIZER_REGIONS', s.optimizerRegions), ...plainEnv({ OPTIMIZER_INTERVAL_MS: String(values.optimizer.intervalMs) }), secretEnv('METRICS_TOKEN', s.metricsToken)];
  }
  const regions = values.regions.map((region) => ({ name: region.name, logId: region.auditLogId, publicKeys: region.auditPublicKeys }));
  return [secretEnv('DATABASE_URL', s.witnessDatabaseUrl), ...plainEnv({ WITNESS_REGIONS: JSON.stringify(regions) })];
}

function deploymentOf(values: CentralValues, box: CentralBox): Deployment {
  const d = deployable(box);
  const b = values.boxes[box];
  const name = resourceName(box);
  return new Deployment({
    metadata: { name, namespace: values.namespace, labels: labels(values, box, d) },
    spec: {
      // A fixed count, no autoscaler: more optimizer replicas only stand by (one holds the schedule's
      // lease), and the witness judges one region's checkpoints at a time under a database lock.
      replicas: b.replicas,
      revisionHistoryLimit: 5,
      selector: { matchLabels: selectorLabels(box) },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels: labels(values, box, d) },
        spec: {
          serviceAccountName: name,
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: Math.ceil((values.shutdown.graceMs + values.shutdown.timeoutMs) / 1000) + 10,
          securityContext: podSecurityContext(),
          topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selectorLabels(box) } }],
          containers: [
            {
              name: box,
              image: `${values.image.repository}/${d.name}:${values.image.tag}`,
              imagePullPolicy: values.image.pullPolicy,
              ports: [{ name: box === 'cost-optimizer' ? 'metrics' : 'http', containerPort: d.port }],
              env: envOf(values, box),
              resources: { requests: { ...b.resources.requests }, limits: { ...b.resources.limits } },
              startupProbe: { ...(d.readiness.kind === 'http' ? { httpGet: { path: d.readiness.path, port: d.port } } : { tcpSocket: { port: d.port } }), periodSeconds: 2, failureThreshold: 90 },
              livenessProbe: probe(d.liveness, d.port, 'liveness'),
              readinessProbe: probe(d.readiness, d.port, 'readiness'),
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

function serviceOf(values: CentralValues, box: CentralBox): Service {
  const d = deployable(box);
  const port = box === 'cost-optimizer' ? 'metrics' : 'http';
  return new Service({ metadata: { name: resourceName(box), namespace: values.namespace, labels: labels(values, box, d) }, spec: { selector: selectorLabels(box), ports: [{ name: port, port: d.port, targetPort: port }] } });
}

const namespaceSelector = (namespace: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } });

/** Nothing reaches a central pod unless let: the witness from the ingress the regions post through; the optimizer's metrics from monitoring. */
function networkPoliciesOf(values: CentralValues): NetworkPolicy[] {
  const meta = (name: string) => ({ name: `${PART_OF}-${name}`, namespace: values.namespace, labels: { 'app.kubernetes.io/part-of': PART_OF, 'switchyard.dev/region': values.region } });
  const allow = (name: string, box: CentralBox, namespace: string) =>
    new NetworkPolicy({
      metadata: meta(name),
      spec: { podSelector: { matchLabels: selectorLabels(box) }, policyTypes: ['Ingress'], ingress: [{ from: [namespaceSelector(namespace)], ports: [{ protocol: 'TCP', port: deployable(box).port }] }] },
    });
  return [
    new NetworkPolicy({ metadata: meta('central-default-deny-ingress'), spec: { podSelector: {}, policyTypes: ['Ingress'] } }),
    allow('audit-witness-from-ingress', 'audit-witness', values.ingressNamespace),
    allow('cost-optimizer-metrics-from-monitoring', 'cost-optimizer', values.monitoringNamespace),
  ];
}

/**
 * Every object of the central part, in apply order. No migration Job: the optimizer writes the
 * regions' databases, which each region's Job migrates; the witness creates its own table.
 */
export function renderCentralManifests(values: CentralValues): Manifest[] {
  const out: Manifest[] = [];
  for (const box of CENTRAL_BOXES) {
    const d = deployable(box);
    out.push(
      new ServiceAccount({ metadata: { name: resourceName(box), namespace: values.namespace, labels: labels(values, box, d) }, automountServiceAccountToken: false }),
      serviceOf(values, box),
      deploymentOf(values, box),
      new PodDisruptionBudget({ metadata: { name: resourceName(box), namespace: values.namespace, labels: labels(values, box, d) }, spec: { maxUnavailable: values.boxes[box].maxUnavailable, selector: { matchLabels: selectorLabels(box) } } }),
    );
  }
  out.push(...networkPoliciesOf(values));
  return out;
}
