/** A fake ioredis client for unit tests: records every command sent and answers null. */
import type { RedisClient } from '../../src/index.js';

export interface RecordingClient {
  client: RedisClient;
  /** The names of the commands (and script functions) called, in order. */
  calls: string[];
}

export function recordingClient(): RecordingClient {
  const calls: string[] = [];
  const target: Record<string | symbol, unknown> = {
    isCluster: false,
    defineCommand: () => undefined,
  };
  const client = new Proxy(target, {
    get(t, prop) {
      if (prop in t) return t[prop];
      if (prop === 'then') return undefined; // not a thenable
      return () => {
        calls.push(String(prop));
        return Promise.resolve(null);
      };
    },
  });
  return { client: client as unknown as RedisClient, calls };
}
