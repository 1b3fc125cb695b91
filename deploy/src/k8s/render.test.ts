import { describe, expect, it } from 'vitest';
import type { IContainer } from 'kubernetes-models/v1';
import { SUBGRAPHS } from '../deployables';
import { loadRegionValues, REGIONS } from './load-values';
import { renderManifests, type Manifest } from './render';
import { BOX_NAMES, mergeValues, parseValues, type Values } from './values';

type Json = { kind: string; metadata: { name: string }; spec?: Record<string, unknown> } & Record<string, unknown>;
const json = (m: Manifest) => m.toJSON() as unknown as Json;
const byKind = (manifests: Manifest[], kind: string) => manifests.map(json).filter((m) => m.kind === kind);

function containerOf(manifests: Manifest[], box: string): IContainer {
  const deployment = manifests.find((m) => m.kind === 'Deployment' && m.metadata?.name === `switchyard-${box}`);
  if (!deployment || deployment.kind !== 'Deployment') throw new Error(`no Deployment for ${box}`);
  const container = deployment.spec?.template.spec?.containers[0];
  if (!container) throw new Error(`no container for ${box}`);
  return container;
}

describe.each(REGIONS.map((r) => [r] as const))('region %s, rendered from values.yaml + values-region-%s.yaml', (region) => {
  let values: Values;
  let manifests: Manifest[];
  it('loads and renders', async () => {
    values = await loadRegionValues(region);
    manifests = renderManifests(values);
    expect(values.region).toBe(`region-${region}`);
  });

  it('validates every object against the Kubernetes OpenAPI schemas (kubernetes-models, offline)', () => {
    expect(manifests.length).toBeGreaterThan(40);
    for (const manifest of manifests) expect(() => manifest.validate(), `${manifest.kind}/${manifest.metadata?.name}`).not.toThrow();
  });

  it('gives every box a Deployment, Service, HPA (floor = the box replica count) and PDB', () => {
    for (const box of BOX_NAMES) {
      const name = `switchyard-${box}`;
      for (const kind of ['Deployment', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'ServiceAccount']) {
        expect(byKind(manifests, kind).map((m) => m.metadata.name), kind).toContain(name);
      }
      const hpa = byKind(manifests, 'HorizontalPodAutoscaler').find((m) => m.metadata.name === name);
      expect(hpa?.spec).toMatchObject({ minReplicas: values.boxes[box].replicas, maxReplicas: values.boxes[box].maxReplicas, scaleTargetRef: { kind: 'Deployment', name } });
      expect(byKind(manifests, 'Deployment').find((m) => m.metadata.name === name)?.spec).not.toHaveProperty('replicas');
    }
  });

  it('probes every container (startup, liveness, readiness) and bounds its resources', () => {
    for (const box of BOX_NAMES) {
      const c = containerOf(manifests, box);
      expect(c.startupProbe && c.livenessProbe && c.readinessProbe, box).toBeTruthy();
      expect(c.resources?.requests, box).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
      expect(c.resources?.limits, box).toMatchObject({ memory: expect.any(String) });
    }
    expect(containerOf(manifests, 'data-plane').readinessProbe?.httpGet?.path).toBe('/readyz');
    expect(containerOf(manifests, 'data-plane').livenessProbe?.httpGet?.path).toBe('/healthz');
    expect(containerOf(manifests, 'gateway').livenessProbe?.httpGet?.path).toBe('/healthz');
    expect(containerOf(manifests, 'tenants').readinessProbe?.httpGet?.path).toBe('/readyz');
  });

  it('runs every container as the non-root node user with a read-only root filesystem', () => {
    for (const box of BOX_NAMES) {
      expect(containerOf(manifests, box).securityContext, box).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    }
  });

  it('takes every secret from a Secret reference: no literal value for a secret-looking variable, no Secret objects', () => {
    expect(manifests.map((m) => m.kind)).not.toContain('Secret');
    for (const box of BOX_NAMES) {
      for (const env of containerOf(manifests, box).env ?? []) {
        if (/URL$|SECRET|TOKEN|KEYS|JWK/.test(env.name) && !/ISSUER|_SUBGRAPH_URL|CONSOLE_URL|GATEWAY_URL|OPENAI_BASE_URL|AUDIT_WITNESS_URL/.test(env.name)) {
          expect(env.value, `${box} ${env.name}`).toBeUndefined();
          expect(env.valueFrom?.secretKeyRef?.name, `${box} ${env.name}`).toBeTruthy();
        }
      }
    }
    const gatewayEnv = containerOf(manifests, 'gateway').env ?? [];
    expect(gatewayEnv.find((e) => e.name === 'INTERNAL_TOKEN_PRIVATE_JWK')?.valueFrom?.secretKeyRef).toEqual(values.secrets.internalTokenPrivateJwk);
    for (const box of Object.keys(SUBGRAPHS)) expect((containerOf(manifests, box).env ?? []).map((e) => e.name), box).not.toContain('INTERNAL_TOKEN_PRIVATE_JWK');
  });

  it('lets only the gateway reach the subgraphs, on their ports, behind a default deny', () => {
    const policies = byKind(manifests, 'NetworkPolicy');
    expect(policies.find((p) => p.metadata.name === 'switchyard-default-deny-ingress')?.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
    const subgraphPolicies = policies.filter((p) => JSON.stringify(p.spec?.['podSelector']).includes('"subgraph"'));
    expect(subgraphPolicies).toHaveLength(1);
    const ingress = subgraphPolicies[0]?.spec?.['ingress'] as Array<{ from: unknown[]; ports: Array<{ port: number }> }>;
    expect(ingress.map((rule) => rule.ports[0]?.port).sort()).toEqual(Object.values(SUBGRAPHS).map((s) => s.port).sort());
    for (const rule of ingress) expect(rule.from).toEqual([{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'gateway', 'app.kubernetes.io/part-of': 'switchyard' } } }]);
    // No other policy selects subgraph pods (which would widen who reaches them).
    for (const p of policies.filter((x) => x !== subgraphPolicies[0])) {
      const selector = JSON.stringify(p.spec?.['podSelector']);
      for (const box of Object.keys(SUBGRAPHS).filter((b) => b !== 'dp')) expect(selector, p.metadata.name).not.toContain(`"${box}"`);
    }
    // dp's metrics port is open to the monitoring namespace only, never its GraphQL port.
    const dpMetrics = policies.find((p) => p.metadata.name === 'switchyard-dp-metrics-from-monitoring');
    expect(JSON.stringify(dpMetrics?.spec)).toContain('"port":9464');
    expect(JSON.stringify(dpMetrics?.spec)).not.toContain(`"port":${SUBGRAPHS.dp.port}`);
  });

  it('runs the migrations as a Job named by the release, non-root, with the migrating login from a Secret', () => {
    const job = manifests.find((m) => m.kind === 'Job');
    if (!job || job.kind !== 'Job') throw new Error('no migration Job');
    expect(manifests[0]).toBe(job);
    expect(job.metadata?.name).toBe(`switchyard-migrate-${values.image.tag.replace(/[^a-z0-9-]/g, '-')}`);
    const c = job.spec?.template.spec?.containers[0];
    expect(c?.image).toBe(`${values.image.repository}/migrate:${values.image.tag}`);
    expect(c?.env).toEqual([{ name: 'DATABASE_URL', valueFrom: { secretKeyRef: values.secrets.migrationDatabaseUrl } }]);
    expect(c?.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true });
    expect(job.spec?.template.spec?.restartPolicy).toBe('Never');
  });

  it('points the gateway at the subgraph Services and labels everything with its region', () => {
    const env = Object.fromEntries((containerOf(manifests, 'gateway').env ?? []).map((e) => [e.name, e.value]));
    expect(env['TENANTS_SUBGRAPH_URL']).toBe('http://switchyard-tenants:4101/graphql');
    expect(env['DP_SUBGRAPH_URL']).toBe('http://switchyard-dp:4106/graphql');
    for (const m of manifests.map(json)) expect((m.metadata as { labels?: Record<string, string> }).labels?.['switchyard.dev/region'], m.metadata.name).toBe(`region-${region}`);
  });

  it("gives the subgraphs that write tenants' configuration the region, so they refuse tenants homed elsewhere", () => {
    for (const box of ['tenants', 'policy', 'experiments'] as const) {
      const env = Object.fromEntries((containerOf(manifests, box).env ?? []).map((e) => [e.name, e.value]));
      expect(env['SWITCHYARD_REGION'], box).toBe(`region-${region}`);
    }
  });
});

describe('the two regions', () => {
  it('differ in region, URLs and sizing but share the secret references', async () => {
    const [a, b] = await Promise.all([loadRegionValues('a'), loadRegionValues('b')]);
    expect(a.region).not.toBe(b.region);
    expect(a.urls.openaiBaseUrl).not.toBe(b.urls.openaiBaseUrl);
    expect(a.secrets).toEqual(b.secrets);
  });
});

describe('values', () => {
  it('merges a region file over the shared one key by key', () => {
    expect(mergeValues({ a: { b: 1, c: 2 }, d: [1] }, { a: { c: 3 }, d: [2] })).toEqual({ a: { b: 1, c: 3 }, d: [2] });
  });

  it('refuses a literal secret, an unknown key and a ceiling under the floor, listing each', async () => {
    const a = await loadRegionValues('a');
    const broken = mergeValues(a, { secrets: { redisUrl: 'redis://user:pw@host' }, boxes: { gateway: { replicas: 5, maxReplicas: 2 } }, extra: true });
    expect(() => parseValues(broken)).toThrow(/secrets\.redisUrl[\s\S]*boxes\.gateway[\s\S]*maxReplicas|boxes\.gateway[\s\S]*secrets\.redisUrl/);
    expect(() => parseValues(broken)).toThrow(/extra/);
  });

  it('the validator rejects a malformed object (the check can fail)', async () => {
    const manifests = renderManifests(await loadRegionValues('a'));
    const hpa = manifests.find((m) => m.kind === 'HorizontalPodAutoscaler');
    if (!hpa || hpa.kind !== 'HorizontalPodAutoscaler' || !hpa.spec) throw new Error('no HPA');
    (hpa.spec as { maxReplicas: unknown }).maxReplicas = 'many';
    expect(() => hpa.validate()).toThrow();
  });
});
