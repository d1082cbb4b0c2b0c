/**
 * A private, throwaway `redis-server` on a free loopback port, for the tests, the demo and
 * the benchmarks. It keeps nothing on disk and is stopped by `stop()` (or when this process
 * exits).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A running throwaway server. */
export interface ThrowawayRedis {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Stops the server and waits for it to exit. */
  stop(): Promise<void>;
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

function waitReady(child: ChildProcess, readyText: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      fail(new Error(`redis-server did not get ready within ${String(timeoutMs)} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes(readyText)) done();
    };
    const onExit = (code: number | null): void => {
      fail(new Error(`redis-server exited with code ${String(code)} before it was ready:\n${output}`));
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      child.off('error', fail);
    };
    function done(): void {
      cleanup();
      resolve();
    }
    function fail(err: Error): void {
      cleanup();
      reject(err);
    }
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', fail);
  });
}

/** Every process {@link spawnRedis} started and nobody stopped yet: killed when this process exits. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A `redis-server` process (server or sentinel) started by {@link spawnRedis}. */
export interface RedisProcess {
  readonly port: number;
  /** Stops it with SIGTERM and waits for it to exit. */
  stop(): Promise<void>;
  /** Kills it with SIGKILL (a crash) and waits for it to exit. */
  kill(): Promise<void>;
}

/**
 * Starts one `redis-server` process on a free port of 127.0.0.1, retrying on a port race,
 * and waits until it logs `readyText`. It logs to stdout, keeps nothing on disk unless its
 * arguments say so, and dies with this process.
 *
 * @param argsFor - the process's arguments for a given port
 * @param readyText - the log line that says it is ready
 */
export async function spawnRedis(
  argsFor: (port: number) => readonly string[] | Promise<readonly string[]>,
  readyText = 'Ready to accept connections',
): Promise<RedisProcess> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const port = await freePort();
    const child = spawn('redis-server', [...(await argsFor(port)), '--logfile', '', '--daemonize', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    try {
      await waitReady(child, readyText, 10_000);
    } catch (err) {
      lastError = err;
      running.delete(child);
      child.kill('SIGKILL');
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') break;
      continue;
    }
    child.stdout.resume();
    child.stderr.resume();
    const signal = async (name: NodeJS.Signals): Promise<void> => {
      running.delete(child);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) =>
        child.once('exit', () => {
          resolve();
        }),
      );
      child.kill(name);
      await exited;
    };
    return { port, stop: () => signal('SIGTERM'), kill: () => signal('SIGKILL') };
  }
  if ((lastError as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error('redis-server is not installed: run scripts/ensure-redis.sh (or set REDIS_URL)', { cause: lastError });
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

/**
 * The arguments of a data server on `port` of 127.0.0.1 that keeps nothing on disk.
 *
 * @param port - the port to listen on
 */
export function serverArgs(port: number): string[] {
  return ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
}

/**
 * Starts `redis-server` on a free port of 127.0.0.1, keeping nothing on disk.
 *
 * @param extraArgs - more `redis-server` arguments, e.g. `['--maxmemory', '1gb']`
 */
export async function startThrowawayRedis(extraArgs: readonly string[] = []): Promise<ThrowawayRedis> {
  const server = await spawnRedis((port) => [...serverArgs(port), ...extraArgs]);
  return { url: `redis://127.0.0.1:${String(server.port)}`, port: server.port, stop: () => server.stop() };
}
