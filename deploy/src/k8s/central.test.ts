import type { IContainer } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { renderCentralManifests } from './central';
import { CENTRAL_BOXES, parseCentralValues, type CentralValues } from './central-values';
import { loadCentralValues, loadRegionValues, REGIONS, VALUES_DIR } from './load-values';
import type { Manifest } from './render';
import { renderManifests } from './render';

const json = (m: Manifest) => m.toJSON() as unknown as { kind: string; metadata: { name: string }; spec?: Record<string, unknown> };
function containerOf(manifests: Manifest[], box: string): IContainer {
  const deployment = manifests.find((m) => m.kind === 'Deployment' && m.metadata?.name === `switchyard-${box}`);
  if (!deployment || deployment.kind !== 'Deployment') throw new Error(`no Deployment for ${box}`);
  return deployment.spec!.template.spec!.containers[0]!;
}
const envValue = (container: IContainer, name: string) => container.env?.find((env) => env.name === name);

describe('the central part, rendered from values-central.yaml', () => {
  let values: CentralValues;
  let manifests: Manifest[];
  it('loads, renders and validates every object against the Kubernetes schemas (offline)', async () => {
    values = await loadCentralValues();
    manifests = renderCentralManifests(values);
    for (const manifest of manifests) expect(() => manifest.validate(), `${manifest.kind}/${manifest.metadata?.name}`).not.toThrow();
    for (const box of CENTRAL_BOXES) {
      for (const kind of ['Deployment', 'Service', 'ServiceAccount', 'PodDisruptionBudget']) expect(manifests.map(json).filter((m) => m.kind === kind).map((m) => m.metadata.name), kind).toContain(`switchyard-${box}`);
      const c = containerOf(manifests, box);
      expect(c.startupProbe && c.livenessProbe && c.readinessProbe, box).toBeTruthy();
      expect(c.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true });
    }
    expect(containerOf(manifests, 'audit-witness').readinessProbe?.httpGet?.path).toBe('/readyz');
  });

  it('configures the optimizer with every region from a Secret, and the witness with each region’s public key', () => {
    expect(envValue(containerOf(manifests, 'cost-optimizer'), 'OPTIMIZER_REGIONS')?.valueFrom?.secretKeyRef).toEqual({ name: 'switchyard-optimizer-regions', key: 'regions' });
    const witness = containerOf(manifests, 'audit-witness');
    expect(envValue(witness, 'DATABASE_URL')?.valueFrom?.secretKeyRef).toBeDefined();
    const regions = JSON.parse(envValue(witness, 'WITNESS_REGIONS')?.value ?? '[]') as Array<{ name: string; publicKeys: string[] }>;
    expect(regions.map((region) => region.name)).toEqual(['region-a', 'region-b']);
    // No secret value anywhere in the manifests: only references.
    const text = JSON.stringify(manifests.map(json));
    expect(text).not.toMatch(/postgres:\/\/|redis:\/\//);
  });

  it('names the same regions as the regions’ values, whose audit boxes post to the central witness', async () => {
    for (const region of REGIONS) {
      const regionValues = await loadRegionValues(region);
      expect(values.regions.map((r) => r.name)).toContain(regionValues.region);
      expect(envValue(containerOf(renderManifests(regionValues), 'audit'), 'AUDIT_WITNESS_URL')?.value).toBe(`${regionValues.urls.auditWitness}/witness/v1/regions/${regionValues.region}/checkpoints`);
    }
  });

  it('lets only the ingress reach the witness and only monitoring the optimizer', () => {
    const policies = manifests.map(json).filter((m) => m.kind === 'NetworkPolicy');
    expect(policies.map((p) => p.metadata.name)).toEqual(['switchyard-central-default-deny-ingress', 'switchyard-audit-witness-from-ingress', 'switchyard-cost-optimizer-metrics-from-monitoring']);
  });

  it('refuses values with duplicate regions, a key that is not one, or an inline secret', async () => {
    const raw = parse(await readFile(path.join(VALUES_DIR, 'values-central.yaml'), 'utf8')) as Record<string, unknown> & { regions: unknown[] };
    expect(() => parseCentralValues({ ...raw, regions: [raw.regions[0], raw.regions[0]] })).toThrow(/unique/);
    expect(() => parseCentralValues({ ...raw, regions: [{ name: 'region-a', auditPublicKeys: ['-----BEGIN PUBLIC KEY-----'] }] })).toThrow(/auditPublicKeys/);
    expect(() => parseCentralValues({ ...raw, secrets: { ...(raw.secrets as object), optimizerRegions: 'postgres://u:p@db/x' } })).toThrow(/optimizerRegions/);
  });
});
