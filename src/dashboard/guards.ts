/**
 * Who asks: the checks every request to the dashboard passes before a route reads anything, in
 * order. A `Host` it does not answer for (DNS rebinding) and a change asked from another site's
 * page are refused first; then a request without the credential (when one is asked); then a
 * POST in read-only mode or without the form's CSRF token. Each refusal reads and writes nothing.
 *
 * @module
 */
import type { Context, Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import {
  AUTH_COOKIE,
  constantTimeEqual,
  CSRF_COOKIE,
  CSRF_FIELD,
  isAllowedHost,
  isAuthorized,
  isSameOrigin,
  localPath,
  newCsrfToken,
  type DashboardAuth,
} from './security.js';

/** What the guards check against: the dashboard's options. */
export interface GuardOptions {
  /** The base path the dashboard is served under (its cookies' path, its redirects' bound). */
  readonly base: string;
  /** The host names it answers for besides loopback, or `'*'`. */
  readonly allowedHosts: readonly string[] | '*';
  /** The credential every request shows, if one is asked. */
  readonly auth: DashboardAuth | undefined;
  /** Whether every POST is refused. */
  readonly readOnly: boolean;
}

/**
 * Puts the guards in front of every route of `app`.
 *
 * @param app - the dashboard's routes
 * @param options - what the guards check against
 * @returns `csrfOf`: the CSRF token of the browser that asks (set in its cookie when it has none), for the forms a page draws
 */
export function guardRequests(app: Hono, options: GuardOptions): { csrfOf: (c: Context) => string } {
  const { base, allowedHosts, auth, readOnly } = options;
  // Every request: who asks first. A host it does not answer for (DNS rebinding), then a change
  // asked from another site's page, are refused before anything is read or written.
  app.use('*', async (c: Context, next) => {
    // The address's host: the Host header under Node (the request's URL is made from it), what the client asked with a fetch handler.
    const host = new URL(c.req.url).host;
    if (!isAllowedHost(host, allowedHosts)) {
      return c.text(`403 Forbidden: this dashboard does not answer for the host ${JSON.stringify(host)} (allow it with allowedHosts, or --allowed-host)`, 403);
    }
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && !isSameOrigin(c.req.header('origin'), c.req.header('referer'), host)) {
      return c.text('403 Forbidden: a change asked from another site', 403);
    }
    return next();
  });
  // Then the credential (a refused request reads and writes nothing).
  app.use('*', async (c: Context, next) => {
    if (auth === undefined) return next();
    const token = c.req.query('token');
    if ('token' in auth && token !== undefined && constantTimeEqual(token, auth.token)) {
      // A token given once in the address is kept in a cookie, and the address cleaned.
      setCookie(c, AUTH_COOKIE, token, { httpOnly: true, sameSite: 'Strict', path: base });
      const url = new URL(c.req.url);
      url.searchParams.delete('token');
      return c.redirect(`${localPath(url.pathname, base)}${url.search}`, 303);
    }
    if (isAuthorized(auth, c.req.header('authorization'), getCookie(c, AUTH_COOKIE))) return next();
    if (!('token' in auth)) c.header('WWW-Authenticate', 'Basic realm="good-redis", charset="UTF-8"');
    return c.text('401 Unauthorized: this dashboard asks for a credential', 401);
  });
  // Every POST: refused in read-only mode, and without the CSRF token of the form.
  app.use('*', async (c: Context, next) => {
    if (c.req.method !== 'POST') return next();
    if (readOnly) return c.text('403 Forbidden: this dashboard is read-only', 403);
    const form = await c.req.parseBody();
    const sent = form[CSRF_FIELD];
    const cookie = getCookie(c, CSRF_COOKIE);
    if (typeof sent !== 'string' || cookie === undefined || !constantTimeEqual(sent, cookie)) {
      return c.text('403 Forbidden: the form carries no valid CSRF token', 403);
    }
    return next();
  });

  /** The CSRF token of the browser (set in its cookie when it has none). */
  const csrfOf = (c: Context): string => {
    const existing = getCookie(c, CSRF_COOKIE);
    if (existing !== undefined && /^[0-9a-f]{64}$/.test(existing)) return existing;
    const token = newCsrfToken();
    setCookie(c, CSRF_COOKIE, token, { httpOnly: true, sameSite: 'Strict', path: base });
    return token;
  };
  return { csrfOf };
}
