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

function freePort(): Promise<number> {
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

function waitReady(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      fail(new Error(`redis-server did not get ready within ${String(timeoutMs)} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) done();
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

/**
 * Starts `redis-server` on a free port of 127.0.0.1, retrying on a port race.
 *
 * @param extraArgs - more `redis-server` arguments, e.g. `['--maxmemory', '1gb']`
 */
export async function startThrowawayRedis(extraArgs: readonly string[] = []): Promise<ThrowawayRedis> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const port = await freePort();
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--logfile', '', '--daemonize', 'no', ...extraArgs],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const kill = (): void => {
      child.kill('SIGKILL');
    };
    process.once('exit', kill);
    try {
      await waitReady(child, 10_000);
    } catch (err) {
      lastError = err;
      process.off('exit', kill);
      child.kill('SIGKILL');
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') break;
      continue;
    }
    child.stdout.resume();
    child.stderr.resume();
    return {
      url: `redis://127.0.0.1:${String(port)}`,
      port,
      stop: async () => {
        process.off('exit', kill);
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once('exit', () => { resolve(); }));
        child.kill('SIGTERM');
        await exited;
      },
    };
  }
  if ((lastError as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error('redis-server is not installed: run scripts/ensure-redis.sh (or set REDIS_URL)', { cause: lastError });
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

/**
 * The server to use: `REDIS_URL` when set (nothing to stop), else a throwaway one.
 */
export async function redisForRun(extraArgs: readonly string[] = []): Promise<ThrowawayRedis & { throwaway: boolean }> {
  const url = process.env.REDIS_URL;
  if (url !== undefined && url !== '') {
    return { url, port: Number(new URL(url).port || 6379), stop: () => Promise.resolve(), throwaway: false };
  }
  return { ...(await startThrowawayRedis(extraArgs)), throwaway: true };
}
