/**
 * Type tests for the public API: this file is compiled with the rest of the suite (never
 * run), so a wrong type in the ioredis augmentation or the generics fails the build.
 */
import type { Redis } from 'ioredis';
import { PrioritizedStream, jsonCodec, type Item } from '../../src/index.js';

declare const redis: Redis;

export async function rawCommands(): Promise<unknown[]> {
  const priority: string | null = await redis.psadd('s', 'k', 'v', 1, true, 'max');
  const many: (string | null)[] = await redis.psaddmany('s', [['k', Buffer.from('v'), 1]]);
  const pulled: string[] = await redis.pspull('s', 10, true, false, 0);
  const pulledBytes: Buffer[] = await redis.pspullBuffer('s');
  const length: number = await redis.pslen('s');
  const expired: [number, number] = await redis.psexpire('s', 100);
  const inPipeline = await redis.pipeline().psadd('s', 'k', 'v', 1).pslen('s').exec();

  // @ts-expect-error the score is a number
  await redis.psadd('s', 'k', 'v', '1');
  // @ts-expect-error unknown add mode
  await redis.psadd('s', 'k', 'v', 1, false, 'min');
  return [priority, many, pulled, pulledBytes, length, expired, inPipeline];
}

export async function typedByCodec(): Promise<unknown[]> {
  const pages = new PrioritizedStream(redis, 'pages', { codec: jsonCodec<{ url: string }>() });
  const items: Item<{ url: string }>[] = await pages.pull();
  const url: string | undefined = items[0]?.value.url;
  const value: { url: string } | null = await pages.get('k');
  // @ts-expect-error the value type comes from the codec
  await pages.add('k', 'not an object');
  const strings = new PrioritizedStream(redis, 'strings');
  const text: string | null = await strings.get('k');
  // @ts-expect-error a tuple's priority is a number
  await strings.addMany([['k', 'v', 'high']]);
  return [url, value, text];
}
