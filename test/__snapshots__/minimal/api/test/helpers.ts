/** Test helpers: an in-process server with captured logs, and a plain HTTP client. */
import { type IncomingHttpHeaders, request } from 'node:http';
import { type Config, loadConfig } from '../src/config.ts';
import { type RunningServer, start } from '../src/lifecycle.ts';
import { createLogger } from '../src/logger.ts';

export interface TestServer extends RunningServer {
  /** Every log line so far, parsed. */
  logs: Record<string, unknown>[];
}

/** Starts the server on a free loopback port with the given environment on top of the defaults. */
export async function startServer(env: Record<string, string> = {}): Promise<TestServer> {
  const config: Config = loadConfig({ PORT: '0', HOST: '127.0.0.1', ...env });
  const logs: Record<string, unknown>[] = [];
  const log = createLogger({ level: config.logLevel, write: (line) => logs.push(JSON.parse(line)) });
  return Object.assign(await start(config, log), { logs });
}

export interface Response {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  json(): unknown;
}

/** One request on a fresh connection (no keep-alive agent, so nothing outlives the test). */
export function get(port: number, path: string, options: { method?: string; headers?: Record<string, string> } = {}) {
  return new Promise<Response>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}
