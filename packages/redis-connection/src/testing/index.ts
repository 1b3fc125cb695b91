export { startRedisCluster, redisServerAvailable, REDIS_SERVER_MISSING, type ThrowawayRedisCluster, type ClusterNode, type ThrowawayClusterOptions } from './throwaway-cluster';
