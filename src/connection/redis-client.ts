import type { Cluster, Redis } from 'ioredis';

/** A connection good-redis works with: a standalone or Sentinel-backed `Redis`, or a `Cluster`. */
export type RedisClient = Redis | Cluster;
