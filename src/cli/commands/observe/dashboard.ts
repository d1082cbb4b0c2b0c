/**
 * `good-redis dashboard`: serve the web dashboard (pages, JSON API, `/metrics`) until SIGINT or
 * SIGTERM, on loopback unless told otherwise, behind the credential the environment names.
 *
 * @module
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Command, Option, type CommandUnknownOpts } from '@commander-js/extra-typings';
import type { DashboardAuth } from '../../../dashboard/security.js';
import { parseCount, println, usage } from '../../cli-support.js';
import { untilSignal, type CliContext } from '../../context.js';

/** The environment variable of the dashboard's bearer token. */
export const DASHBOARD_TOKEN_ENV = 'GOOD_REDIS_DASHBOARD_TOKEN';
/** The environment variables of the dashboard's basic-auth user and password. */
export const DASHBOARD_USER_ENV = 'GOOD_REDIS_DASHBOARD_USER';
/** See {@link DASHBOARD_USER_ENV}. */
export const DASHBOARD_PASSWORD_ENV = 'GOOD_REDIS_DASHBOARD_PASSWORD';

/** The credential the environment names: a token, a user and password, or none. */
export function authFromEnvironment(env: NodeJS.ProcessEnv): DashboardAuth | undefined {
  const token = env[DASHBOARD_TOKEN_ENV];
  const username = env[DASHBOARD_USER_ENV];
  const password = env[DASHBOARD_PASSWORD_ENV];
  if (token !== undefined && token !== '') {
    if (username !== undefined || password !== undefined)
      throw usage(`set ${DASHBOARD_TOKEN_ENV}, or ${DASHBOARD_USER_ENV} and ${DASHBOARD_PASSWORD_ENV}, not both`);
    return { token };
  }
  if (username === undefined && password === undefined) return undefined;
  if (username === undefined || username === '' || password === undefined || password === '') {
    throw usage(`set both ${DASHBOARD_USER_ENV} and ${DASHBOARD_PASSWORD_ENV}, non-empty`);
  }
  return { username, password };
}

/**
 * The host names the dashboard answers for besides loopback: the listen address (unless it is a
 * wildcard, which names no host) and the `--allowed-host` names; `*` among them answers any.
 */
export function allowedHostsOf(listen: string, allowed: readonly string[] = []): string[] | '*' {
  if (allowed.includes('*')) return '*';
  const own = listen === '0.0.0.0' || listen === '::' ? [] : [listen.includes(':') ? `[${listen}]` : listen];
  return [...own, ...allowed];
}

/** Listens and resolves with the port, or rejects with the listen error (a port taken). */
async function listen(server: Server, port: number, host: string): Promise<number> {
  server.listen(port, host);
  await Promise.race([once(server, 'listening'), once(server, 'error').then(([err]) => Promise.reject(err as Error))]);
  return (server.address() as AddressInfo).port;
}

/** Builds `good-redis dashboard`. */
export function dashboardCommand(ctx: CliContext): CommandUnknownOpts {
  const { io } = ctx;
  return new Command('dashboard')
    .description(
      `serve the web dashboard, its JSON API and /metrics until SIGINT or SIGTERM; ${DASHBOARD_TOKEN_ENV}, or ${DASHBOARD_USER_ENV} and ${DASHBOARD_PASSWORD_ENV}, ask every request for a credential`,
    )
    .addOption(new Option('--port <port>', 'the port (0: any free one)').argParser(parseCount('--port', 0, 65_535)).default(3000))
    .option('--host <address>', 'the address to listen on (loopback unless you mean otherwise)', '127.0.0.1')
    .option('--base-path <path>', 'the path to serve under, starting and ending with /', '/')
    .addOption(
      new Option(
        '--allowed-host <name>',
        'a host name (without port) it answers for besides loopback and the --host address; repeat for more; * for any (a proxy in front checks it)',
      )
        .argParser((name: string, previous: string[]) => [...previous, name])
        .default([] as string[], 'none'),
    )
    .option('--read-only', 'hide every action and refuse every POST with 403 (and record no history)')
    .option('--no-history', 'record no history of the counts for the charts (they show what other dashboards record)')
    .action(async (options, command) => {
      const auth = authFromEnvironment(io.env);
      // Imported here: hono and prom-client load only for this command, not for every good-redis run.
      const { createDashboard } = await import('../../../dashboard/dashboard.js');
      await ctx.session(command, true, async (session) => {
        let dashboard;
        try {
          dashboard = createDashboard({
            client: session.client,
            prefix: session.prefix,
            basePath: options.basePath,
            readOnly: options.readOnly === true,
            auth,
            allowedHosts: allowedHostsOf(options.host, options.allowedHost),
            ...(options.history ? {} : { history: false as const }),
          });
        } catch (err) {
          throw usage((err as Error).message);
        }
        const server = createServer(dashboard.listener);
        const port = await listen(server, options.port, options.host);
        const host = options.host.includes(':') ? `[${options.host}]` : options.host;
        const guard = auth === undefined ? 'no credential asked' : 'token' in auth ? 'a bearer token asked' : 'basic auth asked';
        println(
          io.stdout,
          `good-redis dashboard on http://${host}:${String(port)}${options.basePath} for Redis at ${session.target.description} (${options.readOnly === true ? 'read-only, ' : ''}${guard})`,
        );
        await untilSignal(async (stop) => {
          if (!stop.aborted) await once(stop, 'abort');
        });
        dashboard.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => {
          server.close(() => {
            resolve();
          });
        });
      });
    });
}
