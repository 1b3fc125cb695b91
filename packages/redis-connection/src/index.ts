export { openRedis, duplicateRedis, type RedisConnection, type OpenRedisOptions } from './open-redis';
export { parseRedisTarget, redisUrlProblem, type RedisTarget, type ClusterSeed } from './redis-target';
export { clusterKeyTag } from './key-tag';
