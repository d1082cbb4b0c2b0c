/**
 * The dashboard's guards: an optional credential (a bearer token, or a basic-auth user and
 * password) compared in constant time, and the CSRF token every action carries (a random value
 * in a `SameSite=Strict` cookie that the form must repeat).
 *
 * @module
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { invalid } from '../internal/validate.js';

/** A credential the dashboard asks for: a bearer token, or a basic-auth user and password. */
export type DashboardAuth = DashboardToken | DashboardLogin;

/** A bearer token every request shows (`Authorization: Bearer`, or once as `?token=`). */
export interface DashboardToken {
  /** The token: a non-empty string. */
  readonly token: string;
}

/** A basic-auth user and password every request shows. */
export interface DashboardLogin {
  /** The user: a non-empty string without `:`. */
  readonly username: string;
  /** The password: a non-empty string. */
  readonly password: string;
}

/** The cookie that keeps a token given once as `?token=` (HttpOnly, SameSite=Strict). */
export const AUTH_COOKIE = 'good_redis_auth';
/** The cookie of the CSRF token (SameSite=Strict). */
export const CSRF_COOKIE = 'good_redis_csrf';
/** The form field that repeats the CSRF token. */
export const CSRF_FIELD = '_csrf';

/** Whether two strings are equal, in time that does not depend on where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** A new CSRF token: 32 random bytes, hex. */
export function newCsrfToken(): string {
  return randomBytes(32).toString('hex');
}

/** Checks a credential: a non-empty token, or a non-empty user (without `:`) and password. */
export function assertAuth(auth: unknown): asserts auth is DashboardAuth {
  const a = auth as Partial<Record<'token' | 'username' | 'password', unknown>> | null;
  if (typeof a !== 'object' || a === null) throw invalid('auth must be { token } or { username, password }');
  if ('token' in a) {
    if (typeof a.token !== 'string' || a.token.length === 0) throw invalid('auth.token must be a non-empty string');
    return;
  }
  if (typeof a.username !== 'string' || a.username.length === 0 || a.username.includes(':')) {
    throw invalid('auth.username must be a non-empty string without ":"');
  }
  if (typeof a.password !== 'string' || a.password.length === 0) throw invalid('auth.password must be a non-empty string');
}

/**
 * Whether a request carries the credential: `Authorization: Bearer <token>` or the auth cookie
 * for a token, `Authorization: Basic` for a user and password.
 *
 * @param auth - the credential asked for
 * @param authorization - the request's `Authorization` header
 * @param cookie - the auth cookie's value
 */
export function isAuthorized(auth: DashboardAuth, authorization: string | undefined, cookie: string | undefined): boolean {
  if ('token' in auth) {
    const bearer = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1];
    // Both compared, so the time does not tell which one was given.
    const byHeader = constantTimeEqual(bearer ?? '', auth.token);
    const byCookie = constantTimeEqual(cookie ?? '', auth.token);
    return (bearer !== undefined && byHeader) || (cookie !== undefined && byCookie);
  }
  const basic = /^Basic\s+(.+)$/i.exec(authorization ?? '')?.[1];
  const decoded = basic === undefined ? '' : Buffer.from(basic, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = colon < 0 ? '' : decoded.slice(0, colon);
  const password = colon < 0 ? '' : decoded.slice(colon + 1);
  const userOk = constantTimeEqual(user, auth.username);
  const passwordOk = constantTimeEqual(password, auth.password);
  return basic !== undefined && userOk && passwordOk;
}

/** The host names a dashboard answers for whatever it is told: loopback. */
const LOOPBACK_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

/**
 * Checks an `allowedHosts` option: `'*'` (any host: a proxy in front checks it), or host names
 * (without port; an IPv6 address in brackets).
 *
 * @throws {@link GoodRedisError} `InvalidArgument` for anything else
 */
export function assertAllowedHosts(value: unknown): asserts value is readonly string[] | '*' {
  if (value === '*') return;
  if (!Array.isArray(value) || value.some((h) => typeof h !== 'string' || !/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)$/.test(h))) {
    throw invalid(`allowedHosts must be '*' or an array of host names without port (an IPv6 address in brackets), got ${JSON.stringify(value)}`);
  }
}

/** The host name of a `Host` header (or a URL's host), lower-cased and without its port; undefined when there is none or it is malformed. */
export function hostNameOf(host: string | undefined): string | undefined {
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/.exec((host ?? '').toLowerCase());
  return match?.[1];
}

/**
 * Whether the dashboard answers a request whose `Host` header is `host`: a loopback name, or one
 * of `allowed` (`'*'`: any). A page elsewhere that rebinds its own name to 127.0.0.1 (DNS
 * rebinding) sends its own name as the host, and is refused before anything is read.
 *
 * @param host - the request's `Host` header
 * @param allowed - the names the operator allowed besides loopback, or `'*'`
 */
export function isAllowedHost(host: string | undefined, allowed: readonly string[] | '*'): boolean {
  if (allowed === '*') return true;
  const name = hostNameOf(host);
  return name !== undefined && (LOOPBACK_HOSTS.includes(name) || allowed.some((a) => a.toLowerCase() === name));
}

/**
 * Whether a state-changing request comes from the dashboard's own pages: its `Origin` (or, when a
 * browser sends none, its `Referer`) names the request's own host. A request with neither (not
 * from a browser) passes, as the CSRF token still guards it; `Origin: null` (a sandboxed or
 * opaque origin) does not.
 *
 * @param origin - the `Origin` header
 * @param referer - the `Referer` header
 * @param host - the request's `Host` header
 */
export function isSameOrigin(origin: string | undefined, referer: string | undefined, host: string | undefined): boolean {
  const from = origin ?? referer;
  if (from === undefined) return true;
  try {
    return new URL(from).host.toLowerCase() === (host ?? '').toLowerCase();
  } catch {
    return false; // null, or no URL
  }
}

/**
 * A path to redirect to within the dashboard: `pathname` when it lies under `base`, else `base`.
 * A path that starts with `//` (`GET //attacker.example/`) would be read by a browser as another
 * site's address, so it is never sent back as it came.
 *
 * @param pathname - the request's path
 * @param base - the dashboard's base path
 */
export function localPath(pathname: string, base: string): string {
  const path = pathname.replace(/^\/{2,}/, '/');
  return path.startsWith(base) || `${path}/` === base ? path : base;
}
