export { createWitness, type Witness } from './witness';
export { createWitnessServer } from './http-server';
export { openEmbeddedWitnessStore, openPostgresWitnessStore } from './sql-witness-store';
export type { WitnessStore } from './witness-store';
export type { WitnessRegion } from './judge-checkpoint';
export { WITNESS_ERRORS, WitnessRefusal, type WitnessErrorCode } from './witness-errors';
export { loadWitnessEnv } from './config';
