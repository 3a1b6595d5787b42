/**
 * Starting and stopping the HTTP server. Shutdown follows the pod's termination:
 *
 *   1. readiness turns 503 (and every response closes its connection);
 *   2. after SHUTDOWN_DELAY_MS the listener closes: no new connections; idle keep-alive
 *      connections are closed at once, busy ones after their response;
 *   3. when the last in-flight request has its response, shutdown resolves 0. If that takes
 *      longer than SHUTDOWN_TIMEOUT_MS, the remaining connections are cut and it resolves 1.
 *
 * In Kubernetes the chart's preStop hook sleeps 10 s before SIGTERM (endpoints and the load
 * balancer stop sending traffic meanwhile), so with the defaults (1 s + 10 s) the process is gone
 * about 21 s after the pod was deleted, inside its 30 s terminationGracePeriodSeconds.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { type AppState, createApp } from './app.ts';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';

export interface RunningServer {
  server: Server;
  /** The port actually bound (PORT=0 picks a free one). */
  port: number;
  state: AppState;
  /** Drains and closes; resolves to the exit code: 0 drained, 1 timed out. Idempotent. */
  shutdown(reason: string): Promise<number>;
  /** Cuts every connection now (a second signal). */
  forceClose(): void;
}

/** An ALB keeps idle connections for 60 s; the app must keep them longer, or the ALB sees resets (502). */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

export async function start(config: Config, log: Logger): Promise<RunningServer> {
  const state: AppState = { shuttingDown: false };
  const server = createServer(createApp(config, log, state));
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: config.port, ...(config.host ? { host: config.host } : {}) }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port, address } = server.address() as AddressInfo;
  log.info('listening', { address, port, pid: process.pid, node: process.version });

  let shutdownResult: Promise<number> | null = null;
  const shutdown = (reason: string): Promise<number> => {
    shutdownResult ??= drain(reason);
    return shutdownResult;
  };

  const drain = async (reason: string): Promise<number> => {
    const started = performance.now();
    const elapsedMs = () => Math.round(performance.now() - started);
    state.shuttingDown = true;
    log.info('shutdown started', {
      reason,
      delayMs: config.shutdownDelayMs,
      timeoutMs: config.shutdownTimeoutMs,
    });
    if (config.shutdownDelayMs > 0) await sleep(config.shutdownDelayMs);

    return new Promise<number>((resolve) => {
      const timer = setTimeout(() => {
        log.error('shutdown timed out; closing the remaining connections', {
          timeoutMs: config.shutdownTimeoutMs,
          elapsedMs: elapsedMs(),
        });
        server.closeAllConnections();
        resolve(1);
      }, config.shutdownTimeoutMs);
      // close() stops accepting and calls back once every connection has ended.
      server.close((error) => {
        clearTimeout(timer);
        if (error) log.error('closing the server failed', { error });
        else log.info('shutdown complete', { elapsedMs: elapsedMs() });
        resolve(error ? 1 : 0);
      });
      // Keep-alive connections between requests would otherwise hold close() open until they time
      // out. (Node 19+ does this inside close() as well; saying it keeps the intent visible.)
      server.closeIdleConnections();
    });
  };

  return { server, port, state, shutdown, forceClose: () => server.closeAllConnections() };
}
