import { describe, expect, it } from 'vitest';
import { loadRegionValues, REGIONS } from './load-values';
import { federationManifests } from './federation';
import { renderManifests } from './render';
import { mergeValues, parseValues } from './values';

type Json = { kind: string; metadata: { name: string }; spec?: Record<string, unknown> } & Record<string, unknown>;

describe.each(REGIONS.map((r) => [r] as const))("region %s's federation coordinator", (region) => {
  it('is one replica, replaced by Recreate, probed on /healthz and /readyz, its keys and token from Secret references', async () => {
    const values = await loadRegionValues(region);
    const manifests = renderManifests(values);
    for (const manifest of manifests) expect(() => manifest.validate(), `${manifest.kind}/${manifest.metadata?.name}`).not.toThrow();
    const deployment = manifests.find((m) => m.kind === 'Deployment' && m.metadata?.name === 'switchyard-federation');
    if (!deployment || deployment.kind !== 'Deployment') throw new Error('no coordinator Deployment');
    expect(deployment.spec?.replicas).toBe(1);
    expect(deployment.spec?.strategy?.type).toBe('Recreate');
    const c = deployment.spec?.template.spec?.containers[0];
    expect(c?.image).toBe(`${values.image.repository}/federation:${values.image.tag}`);
    expect(c?.livenessProbe?.httpGet).toMatchObject({ path: '/healthz', port: 4500 });
    expect(c?.readinessProbe?.httpGet).toMatchObject({ path: '/readyz', port: 4500 });
    expect(c?.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    const env = new Map((c?.env ?? []).map((e) => [e.name, e]));
    for (const name of ['FEDERATION_SIGNING_KEY', 'FEDERATION_KEY_ID', 'FEDERATION_TRUSTED_KEYS', 'FEDERATION_TOKEN', 'REDIS_URL']) {
      expect(env.get(name)?.value, name).toBeUndefined();
      expect(env.get(name)?.valueFrom?.secretKeyRef?.name, name).toBeTruthy();
    }
    expect(env.get('FEDERATION_SIGNING_KEY')?.valueFrom?.secretKeyRef).toEqual(values.federation?.secrets.signingKey);
    expect(env.get('SWITCHYARD_REGION')?.value).toBe(`region-${region}`);
    const peers = JSON.parse(env.get('FEDERATION_PEERS')?.value ?? '[]') as Array<{ region: string }>;
    expect(peers.map((p) => p.region)).toEqual([region === 'a' ? 'region-b' : 'region-a']);
    expect(env.get('FEDERATION_ROUTES')?.value).toBe('smart');
    // No autoscaler can add a second coordinator.
    expect(manifests.filter((m) => m.kind === 'HorizontalPodAutoscaler').map((m) => m.metadata?.name)).not.toContain('switchyard-federation');
  });

  it('is reachable only from the balancer namespace and the peer region egress addresses, on its port', async () => {
    const values = await loadRegionValues(region);
    const policies = renderManifests(values)
      .filter((m) => m.kind === 'NetworkPolicy')
      .map((m) => m.toJSON() as unknown as Json);
    const selecting = policies.filter((p) => JSON.stringify(p.spec?.['podSelector']).includes('"federation"'));
    expect(selecting.map((p) => p.metadata.name)).toEqual(['switchyard-federation-from-peers']);
    expect(selecting[0]?.spec?.['ingress']).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': values.ingressNamespace } } }, ...(values.federation?.peerCidrs ?? []).map((cidr) => ({ ipBlock: { cidr } }))],
        ports: [{ protocol: 'TCP', port: 4500 }],
      },
    ]);
    expect(values.federation?.peerCidrs.length).toBeGreaterThan(0);
  });
});

describe('federation values', () => {
  it('without a federation block (one region) no coordinator is rendered', async () => {
    const values = await loadRegionValues('a');
    expect(federationManifests({ ...values, federation: undefined })).toEqual([]);
  });

  it('refuses a literal key, a malformed CIDR and a peer without a URL', async () => {
    const a = await loadRegionValues('a');
    const broken = mergeValues(a, { federation: { secrets: { signingKey: '{"kty":"OKP"}' }, peerCidrs: ['everywhere'], peers: [{ region: 'region-b' }] } });
    expect(() => parseValues(broken)).toThrow(/federation\.secrets\.signingKey/);
    expect(() => parseValues(broken)).toThrow(/federation\.peerCidrs/);
    expect(() => parseValues(broken)).toThrow(/federation\.peers\.0\.baseUrl/);
  });
});
