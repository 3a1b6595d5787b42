/**
 * The HTTP application: routes, request IDs, request logs and error handling, on `node:http`.
 * It knows nothing about sockets or signals (see lifecycle.ts), so tests drive it in-process.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';
import { type Context, Router } from './router.ts';

/** Shared between the app and the lifecycle: set once shutdown starts. */
export interface AppState {
  shuttingDown: boolean;
}

/** Probe paths: logged at debug level, so the kubelet's checks do not flood the logs. */
const PROBES = new Set(['/healthz', '/readyz']);
const REQUEST_ID = /^[\w.:-]{1,128}$/;
// Letters, marks and digits of any script, spaces and a little punctuation; 1 to 64 characters.
const NAME = /^[\p{L}\p{M}\p{N}][\p{L}\p{M}\p{N} .'-]{0,63}$/u;

export function createRouter(config: Config, state: AppState): Router {
  return (
    new Router()
      // Liveness: the process can serve HTTP. It stays 200 while draining, so Kubernetes does not
      // restart a pod that is shutting down on purpose.
      .get('/healthz', (ctx) => ctx.json(200, { status: 'ok' }))
      // Readiness: 503 from the moment shutdown starts, so no new traffic is routed here.
      .get('/readyz', (ctx) =>
        state.shuttingDown ? ctx.json(503, { status: 'shutting_down' }) : ctx.json(200, { status: 'ready' }),
      )
      // The example route: GET /api/v1/hello?name=Ada -> {"message":"Hello, Ada!"}
      .get('/api/v1/hello', async (ctx) => {
        const names = ctx.url.searchParams.getAll('name');
        if (names.length > 1) {
          return ctx.json(400, { error: { code: 'invalid_name', message: 'give `name` at most once' } });
        }
        const name = names[0] ?? 'world';
        if (!NAME.test(name)) {
          return ctx.json(400, {
            error: {
              code: 'invalid_name',
              message: '`name` must be 1 to 64 letters, digits, spaces, dots, apostrophes or hyphens',
            },
          });
        }
        if (config.helloDelayMs > 0) await sleep(config.helloDelayMs, null, { signal: ctx.signal });
        ctx.json(200, { message: `Hello, ${name}!` });
      })
  );
}

function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** The path and query of an origin-form target (`/path?query`); absolute-form and junk are refused. */
function parseTarget(target?: string): URL | null {
  if (!target?.startsWith('/')) return null;
  try {
    return new URL(`http://localhost${target}`);
  } catch {
    return null;
  }
}

function sendJson(
  res: ServerResponse,
  state: AppState,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const payload = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(payload));
  res.setHeader('cache-control', 'no-store');
  res.setHeader('x-content-type-options', 'nosniff');
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  // While draining, every response closes its connection: keep-alive clients reconnect elsewhere,
  // and the server's close() completes as soon as the last response is out.
  if (state.shuttingDown) res.setHeader('connection', 'close');
  res.end(payload);
}

export function createApp(config: Config, log: Logger, state: AppState): RequestListener {
  const router = createRouter(config, state);
  return (req, res) => {
    const started = performance.now();
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    const json = (status: number, body: unknown, headers?: Record<string, string>) =>
      sendJson(res, state, status, body, headers);

    const method = req.method ?? 'GET';
    const url = parseTarget(req.url);
    // One log line per request, written when the exchange ends (also when the client gave up).
    // The query string is left out: it may carry personal data.
    res.once('close', () => {
      const path = url ? url.pathname : '(invalid)';
      const fields = {
        requestId,
        method,
        path,
        status: res.statusCode,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        ...(res.writableFinished ? {} : { aborted: true }),
      };
      if (res.statusCode >= 500) log.error('request', fields);
      else if (PROBES.has(path) && res.statusCode < 400) log.debug('request', fields);
      else log.info('request', fields);
    });
    if (!url) {
      json(400, { error: { code: 'bad_request', message: 'invalid request target' } });
      return;
    }

    const match = router.match(method, url.pathname);
    if ('status' in match) {
      if (match.status === 405) {
        const error = { code: 'method_not_allowed', message: `${method} is not allowed here` };
        json(405, { error }, { allow: match.allow.join(', ') });
      } else {
        json(404, { error: { code: 'not_found', message: `no route for ${url.pathname}` } });
      }
      return;
    }

    const aborted = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) aborted.abort();
    });
    const ctx: Context = { req, res, url, requestId, log: log.child({ requestId }), json, signal: aborted.signal };
    Promise.resolve()
      .then(() => match.handler(ctx))
      .catch((error: unknown) => {
        if (aborted.signal.aborted) return; // the client left; nobody is waiting for an answer
        log.error('request failed', { requestId, error });
        if (!res.headersSent) json(500, { error: { code: 'internal', message: 'internal error' } });
        else res.destroy();
      });
  };
}
