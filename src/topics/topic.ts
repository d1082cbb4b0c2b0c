import type { RedisClient } from '../connection/redis-client.js';
import { serverNowMs } from '../connection/server-time.js';
import { fromRedisError, GoodRedisError, typed } from '../errors.js';
import { assertInteger, describe as describeValue, invalid, optionsOf } from '../internal/validate.js';
import { compareIds, idTime } from './stream-ids.js';
import { fieldsOf, headersOf, TopicBase } from './topic-base.js';
import { assertGroupName, MAX_PARTITIONS } from './topic-keys.js';
import type {
  CreateGroupOptions,
  DeadLetterRef,
  GroupDescription,
  GroupMemberInfo,
  GroupPartitionInfo,
  TopicDeadLetter,
  TopicDescription,
  TopicObjectOptions,
  TopicStats,
} from './types.js';

/** Dead letters replayed or purged per script when a call names none. */
const DEAD_CHUNK = 1000;

/** How often an increase starts again when groups keep being added meanwhile. */
const INCREASE_ROUNDS = 20;

/**
 * A topic, for administration: create it, raise its partition count, create consumer groups,
 * describe it and its groups, and look after each group's dead letters. Sending is the
 * {@link Producer}'s job, consuming the {@link Consumer}'s. No I/O in the constructor.
 *
 * @typeParam T - the type of message values, fixed by the codec (dead letters are decoded with it)
 * @example
 * ```ts
 * const orders = new Topic(redis, 'orders');
 * await orders.ensure(6);
 * await orders.createGroup('billing');
 * console.log(await orders.describeGroup('billing'));
 * ```
 */
export class Topic<T = string> extends TopicBase<T> {
  /**
   * @param client - the connection
   * @param name - the topic name (non-empty, without `{`, `}` or `#`)
   * @param options - `prefix`, `codec`
   * @throws {@link GoodRedisError} `InvalidArgument` for a bad name or option
   */
  public constructor(client: RedisClient, name: string, options: TopicObjectOptions<T> = {}) {
    super(client, name, options);
  }

  /** The topic name. */
  public get name(): string {
    return this.topic;
  }

  /**
   * Creates the topic with `partitions` partitions unless it exists, and registers it. An
   * existing topic keeps its count: ensure never changes it, and refuses when the topic has fewer
   * partitions than asked (raise them with {@link increasePartitions}).
   *
   * @param partitions - the partition count of a new topic (1 to 1024)
   * @returns the topic's partition count (at least `partitions`)
   * @throws {@link GoodRedisError} `Configuration` when the topic exists with fewer partitions than `partitions`
   */
  public async ensure(partitions = 1): Promise<number> {
    const n = await this.ensureTopic(partitions);
    if (n < partitions) {
      throw new GoodRedisError(
        'Configuration',
        `topic ${JSON.stringify(this.topic)} has ${String(n)} partition${n === 1 ? '' : 's'}, not ${String(partitions)}: ensure never changes a topic's count; raise it with increasePartitions(${String(partitions)})`,
      );
    }
    return n;
  }

  /** The partition count; 0 for a topic that does not exist. */
  public async partitions(): Promise<number> {
    return this.readPartitions();
  }

  /**
   * Raises the partition count to `partitions`. The new partitions' streams are made with every
   * group first, then one script raises the count, refusing when it is not above the current
   * one (so racing increases never lower it). Keys then route by `hash % partitions`: a key may
   * move to a new partition, and its new messages may be processed before older ones still
   * waiting in its old partition. Nothing stored moves or is lost.
   *
   * @param partitions - the new count (above the current one, at most 1024)
   * @returns the new count
   * @throws {@link GoodRedisError} `InvalidArgument` when the count is not above the current one, or the topic does not exist
   */
  public async increasePartitions(partitions: number): Promise<number> {
    assertInteger(partitions, 'partitions', 1, MAX_PARTITIONS);
    for (let round = 0; round < INCREASE_ROUNDS; round++) {
      const [current, version, groups] = await this.readTopic();
      if (current === 0) throw invalid(`topic ${JSON.stringify(this.topic)} does not exist`);
      if (partitions <= current)
        throw invalid(`topic ${JSON.stringify(this.topic)} has ${String(current)} partitions: an increase must ask for more, not ${String(partitions)}`);
      if (groups.length > 0) {
        const created = [];
        for (let p = current; p < partitions; p++)
          created.push(this.partitionCore.call('createGroups', { from: 'start', groups }, { keys: this.partitionKeysOf(p) }));
        await Promise.all(created);
      }
      const raised = await this.topicCore.call('raisePartitions', { partitions, version });
      if (raised !== -1) return raised;
    }
    throw new GoodRedisError(
      'Redis',
      `topic ${JSON.stringify(this.topic)}: groups kept being added during ${String(INCREASE_ROUNDS)} attempts to raise the partition count`,
    );
  }

  /**
   * Creates the consumer group `group` on every partition (idempotent). It is added to the
   * topic's groups before the partition count is read, so a racing increase creates it on the
   * new partitions too.
   *
   * @param group - the group name (non-empty, without `{` or `}`)
   * @param options - `from`: where a new group starts (`'start'`, the default, or `'end'`)
   * @throws {@link GoodRedisError} `InvalidArgument` for a bad name or option, or a topic that does not exist
   */
  public async createGroup(group: string, options: CreateGroupOptions = {}): Promise<void> {
    assertGroupName(group);
    const { from = 'start' } = optionsOf(options);
    await this.createGroupOn(group, from);
  }

  /** The group names, sorted. */
  public async groups(): Promise<string[]> {
    return (await typed(this.client.smembers(this.redisKeys.groups))).sort();
  }

  /** The partition count, each partition's length and the groups. */
  public async describe(): Promise<TopicDescription> {
    const [partitions, , groups] = await this.readTopic();
    const lengths = await Promise.all(Array.from({ length: partitions }, (_, p) => typed(this.client.xlen(this.partitionKeysOf(p).log))));
    return { name: this.topic, partitions, lengths, groups: groups.sort() };
  }

  /**
   * The topic's counts: partitions, messages kept and messages sent in total (all partitions),
   * groups, and over all groups the messages delivered and not acked (`pending`) and those no
   * member has read yet (`lag`; a group whose lag Redis cannot tell counts 0). Read in two steps:
   * the topic's metadata, then each partition's length, sent count and groups, all partitions
   * together.
   */
  public async stats(): Promise<TopicStats> {
    const [partitions, , groups] = await this.readTopic();
    const rows = await Promise.all(
      Array.from({ length: partitions }, async (_, p) => {
        const { log, stats } = this.partitionKeysOf(p);
        const [length, sent, infos] = await Promise.all([typed(this.client.xlen(log)), typed(this.client.hget(stats, 'added')), groupInfos(this.client, log)]);
        return { length, sent: Number(sent ?? 0), infos };
      }),
    );
    let messages = 0;
    let added = 0;
    let pending = 0;
    let lag = 0;
    for (const { length, sent, infos } of rows) {
      messages += length;
      added += sent;
      for (const group of groups) {
        const info = infos.get(group);
        pending += info?.pending ?? 0;
        lag += info?.lag ?? 0;
      }
    }
    return { partitions, messages, added, groups: groups.length, pending, lag };
  }

  /**
   * A group's generation, its live members with their target partitions, and each partition's
   * lease holder, pending count and lag.
   *
   * @param group - the group name
   */
  public async describeGroup(group: string): Promise<GroupDescription> {
    const keys = this.groupKeysOf(group);
    const [state, members, partitions, now] = await Promise.all([
      typed(this.client.hgetall(keys.group)),
      typed(this.client.zrange(keys.members, 0, -1, 'WITHSCORES')),
      this.readPartitions(),
      serverNowMs(this.client),
    ]);
    const byMember = new Map<string, GroupMemberInfo>();
    for (let i = 0; i + 1 < members.length; i += 2) {
      const id = String(members[i]);
      byMember.set(id, { id, partitions: [], expiresAt: Number(members[i + 1]) });
    }
    for (let p = 0; p < partitions; p++) byMember.get(state[`t:${String(p)}`] ?? '')?.partitions.push(p);
    const rows = await Promise.all(Array.from({ length: partitions }, (_, p) => this.partitionOfGroup(p, group, now)));
    return { group, generation: Number(state.generation ?? 0), members: [...byMember.values()], partitions: rows };
  }

  private async partitionOfGroup(partition: number, group: string, now: number): Promise<GroupPartitionInfo> {
    const keys = this.partitionKeysOf(partition, group);
    const [lease, infos] = await Promise.all([typed(this.client.hgetall(keys.own)), groupInfos(this.client, keys.log)]);
    const info = infos.get(group);
    const live = lease.member !== undefined && Number(lease.until) >= now;
    return { partition, owner: live ? (lease.member ?? null) : null, pending: info?.pending ?? 0, lag: info?.lag ?? null };
  }

  /**
   * A group's dead letters over all partitions, oldest death first.
   *
   * @param group - the group name
   * @param options - `limit`: the most to return (1 to 10,000; default 100)
   */
  public async deadLetters(group: string, options: { limit?: number | undefined } = {}): Promise<TopicDeadLetter<T>[]> {
    assertGroupName(group);
    const { limit = 100 } = optionsOf(options);
    assertInteger(limit, 'limit', 1, 10_000);
    const partitions = await this.readPartitions();
    const binary = this.codec.binary === true;
    const perPartition = await Promise.all(
      Array.from({ length: partitions }, async (_, partition) => {
        const dead = this.partitionKeysOf(partition, group).dead;
        const rows = binary
          ? await typed(this.client.xrangeBuffer(dead, '-', '+', 'COUNT', limit))
          : await typed(this.client.xrange(dead, '-', '+', 'COUNT', limit));
        return rows.map(([deadId, fields]) => this.deadLetterOf(partition, String(deadId), fields));
      }),
    );
    return perPartition
      .flat()
      .sort((a, b) => a.diedAt - b.diedAt || compareIds(a.deadId, b.deadId) || a.partition - b.partition)
      .slice(0, limit);
  }

  private deadLetterOf(partition: number, deadId: string, fields: readonly (string | Buffer)[]): TopicDeadLetter<T> {
    const f = fieldsOf(fields);
    const stored = f.get('v') ?? '';
    const common = {
      partition,
      deadId,
      id: String(f.get('i') ?? ''),
      key: f.has('k') ? String(f.get('k')) : null,
      headers: headersOf(f.get('h')),
      attempts: Number(f.get('a') ?? 0),
      error: String(f.get('e') ?? ''),
      diedAt: idTime(deadId),
    };
    try {
      return { ...common, value: this.codec.decode(stored) };
    } catch {
      return { ...common, value: undefined, raw: stored };
    }
  }

  /**
   * Replays dead letters: each is taken out of the group's dead letters and appended again to
   * its original partition for this group only (other groups skip it unseen), after later
   * messages, its attempts starting over.
   *
   * @param group - the group name
   * @param refs - the dead letters to replay (all when left out)
   * @returns how many were replayed
   */
  public async replayDead(group: string, refs?: readonly DeadLetterRef[]): Promise<number> {
    return this.eachDead(group, refs, (partition, ids) =>
      this.partitionCore.call('replayDead', { group, limit: DEAD_CHUNK, ids }, { keys: this.partitionKeysOf(partition, group) }),
    );
  }

  /**
   * Purges dead letters for good.
   *
   * @param group - the group name
   * @param refs - the dead letters to purge (all when left out)
   * @returns how many were purged
   */
  public async purgeDead(group: string, refs?: readonly DeadLetterRef[]): Promise<number> {
    return this.eachDead(group, refs, (partition, ids) => this.partitionCore.call('purgeDead', { ids }, { keys: this.partitionKeysOf(partition, group) }));
  }

  /** Runs `step` on each partition's named dead letters in chunks, or, without refs, on all of them until none is left. */
  private async eachDead(
    group: string,
    refs: readonly DeadLetterRef[] | undefined,
    step: (partition: number, ids: string[] | undefined) => Promise<number>,
  ): Promise<number> {
    assertGroupName(group);
    const partitions = await this.readPartitions();
    const byPartition = refs === undefined ? undefined : deadRefsByPartition(refs, partitions);
    const counts = await Promise.all(
      Array.from({ length: partitions }, async (_, partition) => {
        let total = 0;
        if (byPartition === undefined) {
          for (;;) {
            const n = await step(partition, undefined);
            total += n;
            if (n < DEAD_CHUNK) return total;
          }
        }
        const ids = byPartition.get(partition) ?? [];
        for (let i = 0; i < ids.length; i += DEAD_CHUNK) total += await step(partition, ids.slice(i, i + DEAD_CHUNK));
        return total;
      }),
    );
    return counts.reduce((a, b) => a + b, 0);
  }

  /**
   * Removes every key of the topic (`UNLINK`: its partitions, groups, leases, retries and dead
   * letters) and unregisters it. Stop its producers and consumers first: a send afterwards
   * makes a partition again.
   *
   * @returns whether the topic existed
   */
  public async delete(): Promise<boolean> {
    await this.topicCore.unregister();
    const [partitions, , groups] = await this.readTopic();
    await Promise.all(
      Array.from({ length: partitions }, (_, p) => {
        const { log, stats } = this.partitionKeysOf(p);
        const keys = [log, stats];
        for (const g of groups) {
          const k = this.partitionKeysOf(p, g);
          keys.push(k.own, k.retry, k.dead);
        }
        return typed(this.client.unlink(...keys));
      }),
    );
    const coordination = [this.redisKeys.topic, this.redisKeys.groups];
    for (const g of groups) {
      const k = this.groupKeysOf(g);
      coordination.push(k.group, k.members);
    }
    await typed(this.client.unlink(...coordination));
    return partitions > 0;
  }

  /** The partition count, the groups' version and the groups, read at one moment. */
  private async readTopic(): Promise<[partitions: number, version: number, groups: string[]]> {
    const { partitions, version, groups } = await this.topicCore.call('readTopic', {});
    return [partitions, version, groups];
  }
}

/**
 * Every group's pending count and lag on one partition (`XINFO GROUPS`), by group name; empty when
 * the partition does not exist. Redis's lag comes from a counter of entries read that a failover
 * can leave behind (a promoted replica went on saying 347 with every message read), so a lag
 * above 0 is checked: with no entry after the group's last-delivered id it is 0.
 */
async function groupInfos(client: RedisClient, log: string): Promise<Map<string, { pending: number; lag: number | null }>> {
  const out = new Map<string, { pending: number; lag: number | null }>();
  let groups: unknown[];
  try {
    groups = (await client.xinfo('GROUPS', log)) as unknown[];
  } catch (err) {
    if (err instanceof Error && /no such key/i.test(err.message)) return out;
    throw fromRedisError(err);
  }
  for (const row of groups as unknown[][]) {
    const info = new Map<string, unknown>();
    for (let i = 0; i + 1 < row.length; i += 2) info.set(String(row[i]), row[i + 1]);
    const given = info.get('lag');
    let lag = given === null || given === undefined ? null : Number(given);
    if (lag !== 0) {
      // Nothing after the last-delivered id: none is unread, whatever the counter says (or cannot say).
      const after = await typed(client.xrange(log, `(${String(info.get('last-delivered-id'))}`, '+', 'COUNT', 1));
      if (after.length === 0) lag = 0;
    }
    out.set(String(info.get('name')), { pending: Number(info.get('pending') ?? 0), lag });
  }
  return out;
}

/** Checks dead-letter refs and groups their ids by partition. */
function deadRefsByPartition(refs: readonly DeadLetterRef[], partitions: number): Map<number, string[]> {
  if (!Array.isArray(refs)) throw invalid(`refs must be an array of { partition, deadId }, got ${describeValue(refs)}`);
  const byPartition = new Map<number, string[]>();
  for (const ref of refs) {
    const given: unknown = ref;
    const { partition, deadId } = optionsOf(given as DeadLetterRef, 'a dead-letter ref');
    assertInteger(partition, 'partition', 0, Math.max(0, partitions - 1));
    if (typeof deadId !== 'string' || !/^\d+-\d+$/.test(deadId))
      throw invalid(`deadId must be a stream id such as 1700000000000-0, got ${describeValue(deadId)}`);
    const ids = byPartition.get(partition) ?? [];
    ids.push(deadId);
    byPartition.set(partition, ids);
  }
  return byPartition;
}
