/**
 * `good-redis topic send` and `topic partitions`: send one message, raise the partition count.
 *
 * @module
 */
import { Command, Option, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { jsonCodec, stringCodec, type Codec } from '../../../codec.js';
import { Producer } from '../../../topics/producer.js';
import { MAX_PARTITIONS } from '../../../topics/topic-keys.js';
import { parseCount, printJson, println, usage } from '../../cli-support.js';
import { codecOption, jsonOption, type CliContext } from '../../context.js';
import { quoted } from '../../format.js';
import { checkTopic, knownTopic } from './shared.js';

/** Collects repeated `--header name=value` options. */
function header(raw: string, previous: Record<string, string> | undefined): Record<string, string> {
  const at = raw.indexOf('=');
  if (at <= 0) throw usage(`--header takes name=value, got ${quoted(raw)}`);
  return { ...previous, [raw.slice(0, at)]: raw.slice(at + 1) };
}

/** Builds `good-redis topic send`. */
export function sendCommand(ctx: CliContext): CommandUnknownOpts {
  const { io } = ctx;
  return new Command('send')
    .description(
      "send one message to a topic (creating it with --partitions when missing; without it a missing topic is refused), routed by --key with Kafka's partitioner, or to --partition",
    )
    .argument('<name>', 'the topic', checkTopic)
    .argument('<value>', 'the message value')
    .option('--key <key>', 'the message key (same key, same partition)')
    .addOption(new Option('--partition <n>', 'an explicit partition').argParser(parseCount('--partition', 0, MAX_PARTITIONS - 1)))
    .addOption(new Option('--header <name=value>', 'a header (repeat for more)').argParser(header))
    .addOption(
      new Option('--partitions <n>', 'the partition count of a topic this send creates (a missing topic is refused without it)').argParser(
        parseCount('--partitions', 1, MAX_PARTITIONS),
      ),
    )
    .addOption(codecOption())
    .addOption(jsonOption())
    .action(async (name, value, options, command) => {
      await ctx.session(command, false, async (session) => {
        const codec: Codec<unknown> = options.codec === 'json' ? jsonCodec<unknown>() : stringCodec;
        let parsed: unknown = value;
        if (options.codec === 'json') {
          try {
            parsed = JSON.parse(value);
          } catch {
            throw usage(`--codec json takes a JSON value, got ${quoted(value)}`);
          }
        }
        const producer = new Producer<unknown>(session.client, name, { prefix: session.prefix, codec, partitions: options.partitions });
        const sent = await producer.send({ value: parsed, key: options.key, partition: options.partition, headers: options.header });
        if (options.json === true) printJson(io.stdout, sent);
        else println(io.stdout, `sent to ${quoted(name)}, partition ${String(sent.partition)}, id ${sent.id}`);
      });
    });
}

/** Builds `good-redis topic partitions`. */
export function partitionsCommand(ctx: CliContext): CommandUnknownOpts {
  const { io } = ctx;
  return new Command('partitions')
    .description('raise the partition count of a topic (increase only: keys may route to new partitions afterwards; nothing stored moves)')
    .argument('<name>', 'the topic', checkTopic)
    .argument('<n>', 'the new partition count', parseCount('<n>', 1, MAX_PARTITIONS))
    .addOption(jsonOption())
    .action(async (name, n, options, command) => {
      await ctx.session(command, false, async (session) => {
        const topic = await knownTopic(session, name);
        const before = await topic.partitions();
        const partitions = await topic.increasePartitions(n);
        if (options.json === true) printJson(io.stdout, { before, partitions });
        else println(io.stdout, `topic ${quoted(name)} now has ${String(partitions)} partitions (was ${String(before)})`);
      });
    });
}
