/** A fake ioredis client for unit tests: records every command sent and answers null. */
import type { Command } from 'ioredis';
import type { RedisClient } from '../../../src/index.js';
import { flaggedScriptSources } from '../../../src/prioritized/scripts.js';
import { scriptSource } from '../../../src/scripting/script-command.js';

/** The script names by the SHA-1 EVALSHA sends. */
const scriptsBySha = new Map([...flaggedScriptSources()].map(([name, lua]) => [scriptSource(lua).sha, name]));

export interface RecordingClient {
  client: RedisClient;
  /** The names of the commands called, in order; a script as `script:<name>`. */
  calls: string[];
}

export function recordingClient(): RecordingClient {
  const calls: string[] = [];
  const target: Record<string | symbol, unknown> = {
    isCluster: false,
    defineCommand: () => undefined,
    sendCommand: (command: Command) => {
      calls.push(`script:${scriptsBySha.get(String(command.args[0])) ?? String(command.args[0])}`);
      return Promise.resolve(null);
    },
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
