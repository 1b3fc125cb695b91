/**
 * The bandit as other packages may use it (the cost optimizer's routing simulation runs the
 * production Thompson sampler, not a copy): exported as `@switchyard/data-plane/bandit`.
 */
export { createBanditStrategy, withPrior, type ArmPosterior, type BanditOptions } from './bandit';
export { sampleBeta } from './beta-sample';
export { seededRandom, type Random } from '../random';
export type { BetaParameters, RankableCandidate, Strategy } from './strategy';
