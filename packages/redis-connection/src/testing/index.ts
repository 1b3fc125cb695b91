export {
  clusterForTests,
  clusterTestsSkipReason,
  redisServerAvailable,
  REDIS_SERVER_MISSING,
  startRedisCluster,
  type ClusterForTests,
  type ClusterNode,
  type ThrowawayClusterOptions,
  type ThrowawayRedisCluster,
} from './throwaway-cluster';
export { ThrowawayRedis } from './throwaway-redis';
