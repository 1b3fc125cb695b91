import type { StrategyConfig } from '../route';
import { createBanditStrategy, type ArmPosterior } from './bandit';
import { createCheapestStrategy } from './cheapest';
import { createLeastLatencyStrategy } from './least-latency';
import { createPriorityStrategy } from './priority';
import type { Strategy } from './strategy';
import { createWeightedStrategy } from './weighted';

/**
 * One strategy instance per route definition; learned state (bandit posteriors) lives in
 * `arms`, which the caller keeps across definition updates.
 */
export function createStrategy(config: StrategyConfig, arms?: Map<string, ArmPosterior>): Strategy {
  switch (config.kind) {
    case 'weighted':
      return createWeightedStrategy();
    case 'priority':
      return createPriorityStrategy();
    case 'least-latency':
      return createLeastLatencyStrategy();
    case 'cheapest':
      return createCheapestStrategy();
    case 'bandit':
      return createBanditStrategy({ reward: config.reward, latencyTargetMs: config.latencyTargetMs, costTargetPer1kMicros: config.costTargetPer1kMicros }, arms);
  }
}
