import { runSliCountersContract } from './sli-counters.contract';
import { createInMemorySliCounters } from './in-memory-sli-counters';

runSliCountersContract('in-memory', () => createInMemorySliCounters());
