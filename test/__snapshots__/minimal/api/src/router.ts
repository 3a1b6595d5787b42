/**
 * A tiny router: exact paths, one handler per method. Enough for a handful of JSON routes without
 * a framework; swap in one (Fastify, Hono, ...) when the service needs path parameters or bodies.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from './logger.ts';

export interface Context {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  requestId: string;
  log: Logger;
  /** Aborted when the client goes away before the response is complete: stop working for it. */
  signal: AbortSignal;
  /** Sends a JSON response (with `Connection: close` once the server is shutting down). */
  json(status: number, body: unknown, headers?: Record<string, string>): void;
}

export type Handler = (ctx: Context) => void | Promise<void>;

export type Match = { handler: Handler } | { status: 404 } | { status: 405; allow: string[] };

export class Router {
  readonly #routes = new Map<string, Map<string, Handler>>();

  on(method: string, path: string, handler: Handler): this {
    const methods = this.#routes.get(path) ?? new Map<string, Handler>();
    if (methods.has(method)) throw new Error(`route ${method} ${path} is defined twice`);
    methods.set(method, handler);
    this.#routes.set(path, methods);
    return this;
  }

  get(path: string, handler: Handler): this {
    return this.on('GET', path, handler);
  }

  /** The handler for a request; HEAD is served by the GET handler (Node sends no body for HEAD). */
  match(method: string, path: string): Match {
    const methods = this.#routes.get(path);
    if (!methods) return { status: 404 };
    const handler = methods.get(method) ?? (method === 'HEAD' ? methods.get('GET') : null);
    if (handler) return { handler };
    const allow = [...methods.keys()];
    if (methods.has('GET')) allow.push('HEAD');
    return { status: 405, allow: allow.sort() };
  }
}
