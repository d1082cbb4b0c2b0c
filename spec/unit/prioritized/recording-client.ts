/** A fake ioredis client for unit tests: records every command sent and answers null. */
import type { Command } from 'ioredis';
import type { RedisClient } from '../../../src/index.js';
import { STREAM_SCRIPTS } from '../../../src/prioritized/scripts.js';
import { scriptSource } from '../../../src/scripting/script-command.js';

/** The script names by the SHA-1 EVALSHA sends. */
const scriptsBySha = new Map([...STREAM_SCRIPTS.flaggedSources()].map(([name, lua]) => [scriptSource(lua).sha, name]));

export interface RecordingClient {
  client: RedisClient;
  /** The names of the commands called, in order; a script as `script:<name>`. */
  calls: string[];
  /** The scripts sent, in order, with their KEYS and ARGV (numbers as the strings Redis gets). */
  scripts: { name: string; keys: string[]; args: string[] }[];
}

export function recordingClient(): RecordingClient {
  const calls: string[] = [];
  const scripts: RecordingClient['scripts'] = [];
  const target: Record<string | symbol, unknown> = {
    isCluster: false,
    addedBuiltinSet: new Set<string>(),
    defineCommand: () => undefined,
    // Never 'ready': the eviction check waits for an event that never comes, and sends nothing.
    status: 'wait',
    once: () => undefined,
    sendCommand: (command: Command) => {
      const [sha, numKeys, ...rest] = command.args.map(String);
      const name = scriptsBySha.get(sha ?? '') ?? sha ?? '';
      calls.push(`script:${name}`);
      scripts.push({ name, keys: rest.slice(0, Number(numKeys)), args: rest.slice(Number(numKeys)) });
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
  return { client: client as unknown as RedisClient, calls, scripts };
}
