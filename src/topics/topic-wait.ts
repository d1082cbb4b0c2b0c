/**
 * A consumer's wait for a topic that does not exist yet. A consumer never creates its topic: a
 * topic's partition count is its owner's to choose (`Topic.ensure`, or a Producer given
 * `partitions`), and one created behind the owner's back with 1 partition would keep every key
 * on partition 0. So a consumer of a topic that does not exist yet waits, says so once, and
 * joins when the topic appears.
 *
 * @module
 */

/** Why a consumer hands out nothing while its topic does not exist. */
export const TOPIC_MISSING = 'waiting for the topic: it does not exist yet (create it with Topic.ensure(partitions), or a Producer given partitions)';

/** Looks for a topic every `intervalMs` until it exists; says once that it waits. */
export class TopicWait {
  private waiting = false;
  private noted = false;
  private stop: (() => void) | undefined;
  private cancelled = false;

  /**
   * @param exists - whether the topic exists now
   * @param intervalMs - how often to look again (the consumer's heartbeat)
   * @param onWaiting - called once, the first time the topic is found missing
   */
  public constructor(
    private readonly exists: () => Promise<boolean>,
    private readonly intervalMs: number,
    private readonly onWaiting: (reason: string) => void,
  ) {}

  /** {@link TOPIC_MISSING} while the topic was last found missing, else undefined. */
  public get reason(): string | undefined {
    return this.waiting ? TOPIC_MISSING : undefined;
  }

  /** Whether the topic exists now; the first time it does not, says so (once). */
  public async check(): Promise<boolean> {
    const exists = await this.exists();
    this.waiting = !exists;
    if (!exists && !this.noted) {
      this.noted = true;
      this.onWaiting(TOPIC_MISSING);
    }
    return exists;
  }

  /**
   * Waits until the topic exists, looking every `intervalMs`.
   *
   * @returns `true` once it exists, `false` when {@link cancel} ended the wait
   */
  public async until(): Promise<boolean> {
    while (!this.cancelled) {
      if (await this.check()) return true;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.intervalMs);
        timer.unref();
        this.stop = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.stop = undefined;
    }
    return false;
  }

  /** Ends a wait in progress, and every later one. */
  public cancel(): void {
    this.cancelled = true;
    this.stop?.();
  }
}
