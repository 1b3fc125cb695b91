import { Deployment } from 'kubernetes-models/apps/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { Service, ServiceAccount } from 'kubernetes-models/v1';
import type { IEnvVar, IProbe } from 'kubernetes-models/v1';
import { deployable, type Probe } from '../deployables';
import { containerSecurityContext, podSecurityContext, scratchVolumeMounts, scratchVolumes } from './pod-hardening';
import type { Values } from './values';

/**
 * The region's federation coordinator (DESIGN.md §10): a Deployment of exactly one replica,
 * replaced with `Recreate` (two coordinators of one region at once would each sign deltas of half
 * the region's observations; peers tolerate the few seconds without one: they catch up on the
 * next poll), its Service, and a NetworkPolicy letting only the balancer's namespace and the peer
 * regions' egress addresses reach it. No autoscaler and no disruption budget: one replica is the
 * design, and a drain costs peers one or two polls. Its keys and token come from Secret references.
 */
const NAME = 'switchyard-federation';

export function federationManifests(values: Values): Array<Deployment | Service | ServiceAccount | NetworkPolicy> {
  const f = values.federation;
  if (!f) return [];
  const d = deployable('federation');
  const selector = { 'app.kubernetes.io/name': 'federation', 'app.kubernetes.io/part-of': 'switchyard' };
  const labels = { ...selector, 'app.kubernetes.io/component': d.role, 'switchyard.dev/region': values.region, 'app.kubernetes.io/version': values.image.tag };
  const metadata = { name: NAME, namespace: values.namespace, labels };
  const secret = (name: string, ref: { name: string; key: string }): IEnvVar => ({ name, valueFrom: { secretKeyRef: { name: ref.name, key: ref.key } } });
  const env: IEnvVar[] = [
    secret('REDIS_URL', values.secrets.redisUrl),
    // The region's database: the global configuration's changes are captured there and replicated ones applied.
    secret('DATABASE_URL', values.secrets.databaseUrl),
    secret('DATABASE_TENANT_URL', values.secrets.databaseTenantUrl),
    secret('FEDERATION_SIGNING_KEY', f.secrets.signingKey),
    secret('FEDERATION_KEY_ID', f.secrets.keyId),
    secret('FEDERATION_TRUSTED_KEYS', f.secrets.trustedKeys),
    secret('FEDERATION_TOKEN', f.secrets.token),
    ...Object.entries({
      SWITCHYARD_REGION: values.region,
      REDIS_KEY_PREFIX: values.redisKeyPrefix,
      FEDERATION_PEERS: JSON.stringify(f.peers),
      FEDERATION_ROUTES: f.routes.join(','),
      FEDERATION_INTERVAL_MS: String(f.intervalMs),
      FEDERATION_POLL_MS: String(f.pollMs),
      ...(f.platformWriter === undefined ? {} : { FEDERATION_PLATFORM_WRITER: f.platformWriter }),
    }).map(([name, value]) => ({ name, value })),
  ];
  const probe = (p: Probe, kind: 'liveness' | 'readiness'): IProbe => {
    const action = p.kind === 'http' ? { httpGet: { path: p.path, port: d.port } } : { tcpSocket: { port: d.port } };
    return kind === 'readiness' ? { ...action, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 2 } : { ...action, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 6 };
  };

  const deployment = new Deployment({
    metadata,
    spec: {
      replicas: 1,
      revisionHistoryLimit: 5,
      selector: { matchLabels: selector },
      strategy: { type: 'Recreate' },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: NAME,
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: 30,
          securityContext: podSecurityContext(),
          containers: [
            {
              name: 'federation',
              image: `${values.image.repository}/${d.name}:${values.image.tag}`,
              imagePullPolicy: values.image.pullPolicy,
              ports: [{ name: 'http', containerPort: d.port }],
              env,
              resources: { requests: { ...f.resources.requests }, limits: { ...f.resources.limits } },
              startupProbe: { httpGet: { path: '/readyz', port: d.port }, periodSeconds: 2, failureThreshold: 30 },
              livenessProbe: probe(d.liveness, 'liveness'),
              readinessProbe: probe(d.readiness, 'readiness'),
              securityContext: containerSecurityContext(),
              volumeMounts: scratchVolumeMounts(),
            },
          ],
          volumes: scratchVolumes(),
        },
      },
    },
  });

  const service = new Service({ metadata, spec: { selector, ports: [{ name: 'http', port: d.port, targetPort: 'http' }] } });
  const policy = new NetworkPolicy({
    metadata: { name: `${NAME}-from-peers`, namespace: values.namespace, labels: { 'app.kubernetes.io/part-of': 'switchyard', 'switchyard.dev/region': values.region } },
    spec: {
      podSelector: { matchLabels: selector },
      policyTypes: ['Ingress'],
      ingress: [
        {
          // The balancer (peers reach the coordinator through it) and the peer regions' egress addresses; nothing in this region calls it.
          from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': values.ingressNamespace } } }, ...f.peerCidrs.map((cidr) => ({ ipBlock: { cidr } }))],
          ports: [{ protocol: 'TCP', port: d.port }],
        },
      ],
    },
  });
  return [new ServiceAccount({ metadata, automountServiceAccountToken: false }), service, deployment, policy];
}
