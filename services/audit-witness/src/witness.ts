import type { Checkpoint } from '@switchyard/ledger';
import { judgeCheckpoint, type WitnessRegion } from './judge-checkpoint';
import { checkpointOf, submissionSchema } from './submission';
import { WitnessRefusal } from './witness-errors';
import type { WitnessStore } from './witness-store';

export interface Witness {
  /** Judges and stores one region's submission; throws WitnessRefusal when it is refused. */
  submit(region: string, body: unknown): Promise<{ stored: boolean; treeSize: number }>;
  /** What `audit verify` reads for the region (witness-read.ts accepts `{checkpoints}`). */
  checkpoints(region: string): Promise<{ region: string; logId: string; checkpoints: Checkpoint[] }>;
}

/** The witness over its regions and its store: each region's checkpoints judged under that region's lock. */
export function createWitness(regions: readonly WitnessRegion[], store: WitnessStore): Witness {
  const byName = new Map(regions.map((region) => [region.name, region]));
  const regionNamed = (name: string): WitnessRegion => {
    const region = byName.get(name);
    if (!region) throw new WitnessRefusal('unknown_region', `no region named ${JSON.stringify(name.slice(0, 64))} is configured`);
    return region;
  };
  return {
    async submit(name, body) {
      const region = regionNamed(name);
      const parsed = submissionSchema.safeParse(body);
      if (!parsed.success) throw new WitnessRefusal('malformed_checkpoint', parsed.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; '));
      const checkpoint = checkpointOf(parsed.data);
      return store.withRegion(region.name, async (view) => {
        const held = { latest: await view.latest(), sameSize: await view.atSize(checkpoint.treeSize) };
        const judgement = judgeCheckpoint(region, parsed.data, checkpoint, held);
        if (judgement.store) await view.insert(checkpoint);
        return { stored: judgement.store, treeSize: checkpoint.treeSize };
      });
    },
    async checkpoints(name) {
      const region = regionNamed(name);
      return { region: region.name, logId: region.logId, checkpoints: await store.list(region.name) };
    },
  };
}
