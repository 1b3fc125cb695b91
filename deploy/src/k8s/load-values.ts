import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../docker/paths';
import { parseCentralValues, type CentralValues } from './central-values';
import { mergeValues, parseValues, type Values } from './values';

export const VALUES_DIR = path.join(REPO_ROOT, 'deploy', 'values');
export const REGIONS = ['a', 'b'] as const;

/** values.yaml with values-region-<region>.yaml merged over it, checked against the schema. */
export async function loadRegionValues(region: string): Promise<Values> {
  const read = async (file: string): Promise<unknown> => parse(await readFile(path.join(VALUES_DIR, file), 'utf8'));
  return parseValues(mergeValues(await read('values.yaml'), await read(`values-region-${region}.yaml`)));
}

/** values-central.yaml alone (the central part is not merged over the regions' values). */
export async function loadCentralValues(): Promise<CentralValues> {
  return parseCentralValues(parse(await readFile(path.join(VALUES_DIR, 'values-central.yaml'), 'utf8')));
}
