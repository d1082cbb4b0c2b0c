/**
 * What must close before the module's connection quits.
 *
 * @module
 */

/** Anything with an async `close()`: a Worker, or a wrapper around an Expirer's `stop()`. */
export interface Closeable {
  /** Closes, waiting for its work in flight. */
  close(): Promise<void>;
}

/**
 * The things a container made that use its connection (workers, sweepers): each family's
 * bindings add theirs, and the connection's deactivation closes them all first, so their jobs
 * and sweeps in flight finish while the connection still works. Bound as
 * {@link TOKENS}.Closeables by {@link createGoodRedisModule}.
 */
export class Closeables {
  private readonly open = new Set<Closeable>();

  /**
   * Remembers `item` until it is closed.
   *
   * @param item - something to close before the connection
   * @returns a function that forgets it (call it when it closed by itself)
   */
  public add(item: Closeable): () => void {
    this.open.add(item);
    return () => this.open.delete(item);
  }

  /** How many are open. */
  public get size(): number {
    return this.open.size;
  }

  /** Closes everything added and not forgotten, all at once, and waits for all of them. */
  public async closeAll(): Promise<void> {
    const items = [...this.open];
    this.open.clear();
    await Promise.all(items.map((item) => item.close()));
  }
}
