/**
 * The drain test of a generated app: start the built server as its own process, put bounded
 * keep-alive load on it over loopback, send SIGTERM in the middle, and account for every request.
 *
 * "Accepted" is decided by the server, not guessed by the client: the app logs one line per request
 * it read (on completion or abort), with the X-Request-Id the load generator sent. A request sent
 * before SIGTERM that the server never read can only have hit the keep-alive race (the server closed
 * an idle connection while the request was on its way); it shows as a reset of a reused socket and
 * is counted apart. Any other failure of a request sent before SIGTERM, and any failure of a request
 * the server accepted, is a failure.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface DrainOptions {
  cwd: string;
  /** The node binary that runs the app (default: the one running the tests). */
  node?: string;
  /** Extra environment of the app (SHUTDOWN_DELAY_MS, ...). */
  env?: Record<string, string>;
  clients?: number;
  /** How long the load runs, from the first request. */
  loadMs?: number;
  /** When SIGTERM is sent, from the first request. */
  sigtermAtMs?: number;
  /** Latency of the example route while loaded (HELLO_DELAY_MS). */
  handlerMs?: number;
}

interface Outcome {
  id: string;
  sentAt: number;
  endAt: number;
  status?: number;
  code?: string;
  reusedSocket: boolean;
}

export interface DrainReport {
  port: number;
  sent: number;
  beforeSigterm: {
    sent: number;
    ok: number;
    /** Of `ok`: still in flight when SIGTERM was sent. */
    inFlightAtSigterm: number;
    /** Never read by the server: resets of reused keep-alive sockets at the moment of closing. */
    notAccepted: number;
    failed: Outcome[];
  };
  afterSigterm: { sent: number; ok: number; refused: number; other: number };
  /** Requests the server logged whose client did not get a 200. */
  acceptedButFailed: Outcome[];
  /** /readyz answers after SIGTERM, in order: a status or an error code. */
  readyzAfterSigterm: (number | string)[];
  exitCode: number | null;
  exitSignal: NodeJS.Signals | null;
  msFromSigtermToExit: number;
  logs: Record<string, unknown>[];
  stderr: string;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function send(
  port: number,
  path: string,
  options: { agent?: Agent; id?: string; timeoutMs?: number } = {},
): Promise<Omit<Outcome, 'id' | 'sentAt'>> {
  return new Promise((resolve) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path,
      agent: options.agent ?? false,
      headers: options.id ? { 'x-request-id': options.id } : {},
      timeout: options.timeoutMs ?? 10_000,
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () =>
        resolve({ endAt: performance.now(), status: res.statusCode, reusedSocket: req.reusedSocket }),
      );
      res.on('error', (error: NodeJS.ErrnoException) =>
        resolve({ endAt: performance.now(), code: error.code ?? error.message, reusedSocket: req.reusedSocket }),
      );
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('client timeout'), { code: 'CLIENT_TIMEOUT' })));
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ endAt: performance.now(), code: error.code ?? error.message, reusedSocket: req.reusedSocket }),
    );
    req.end();
  });
}

function collectLines(child: ChildProcess, logs: Record<string, unknown>[]): void {
  let rest = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) logs.push(JSON.parse(line));
  });
}

export async function drainTest(options: DrainOptions): Promise<DrainReport> {
  const clients = options.clients ?? 20;
  const loadMs = options.loadMs ?? 3000;
  const sigtermAtMs = options.sigtermAtMs ?? 1500;
  const port = await freePort();
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  const child = spawn(options.node ?? process.execPath, ['dist/server.js'], {
    cwd: options.cwd,
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      HELLO_DELAY_MS: String(options.handlerMs ?? 200),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  collectLines(child, logs);
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: performance.now() })),
  );
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
  });

  try {
    // Ready?
    const readyBy = performance.now() + 10_000;
    for (;;) {
      const r = await send(port, '/readyz', { timeoutMs: 1000 });
      if (r.status === 200) break;
      if (hasExited || performance.now() > readyBy) {
        throw new Error(`the app did not become ready (last: ${r.status ?? r.code})\n${stderr}`);
      }
      await sleep(50);
    }

    const outcomes: Outcome[] = [];
    const start = performance.now();
    let sigtermAt = Number.POSITIVE_INFINITY;
    const agents: Agent[] = [];
    const worker = async (client: number) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      agents.push(agent);
      for (let n = 0; performance.now() - start < loadMs; n++) {
        const id = `load-${client}-${n}`;
        const sentAt = performance.now();
        const result = await send(port, '/api/v1/hello?name=load', { agent, id });
        outcomes.push({ id, sentAt, ...result });
        if (result.status !== 200) await sleep(25);
      }
    };
    const load = Promise.all(Array.from({ length: clients }, (_, c) => worker(c)));

    // SIGTERM mid-load, then watch readiness until the process is gone.
    await sleep(sigtermAtMs);
    sigtermAt = performance.now();
    child.kill('SIGTERM');
    const readyzAfterSigterm: (number | string)[] = [];
    while (!hasExited && performance.now() - sigtermAt < 20_000) {
      const r = await send(port, '/readyz', { timeoutMs: 1000 });
      readyzAfterSigterm.push(r.status ?? r.code ?? 'unknown');
      if (r.code === 'ECONNREFUSED') break; // the listener is closed: nothing more to ask
      await sleep(25);
    }
    await load;
    for (const agent of agents) agent.destroy();
    const exit = await Promise.race([exited, sleep(25_000).then(() => null)]);
    if (!exit) throw new Error('the app did not exit within 25 s of SIGTERM');

    const accepted = new Set(logs.filter((l) => l.msg === 'request').map((l) => l.requestId));
    const before = outcomes.filter((o) => o.sentAt < sigtermAt);
    const after = outcomes.filter((o) => o.sentAt >= sigtermAt);
    const keepAliveRace = (o: Outcome) =>
      !accepted.has(o.id) && o.reusedSocket && (o.code === 'ECONNRESET' || o.code === 'EPIPE');
    return {
      port,
      sent: outcomes.length,
      beforeSigterm: {
        sent: before.length,
        ok: before.filter((o) => o.status === 200).length,
        inFlightAtSigterm: before.filter((o) => o.status === 200 && o.endAt > sigtermAt).length,
        notAccepted: before.filter((o) => o.status !== 200 && keepAliveRace(o)).length,
        failed: before.filter((o) => o.status !== 200 && !keepAliveRace(o)),
      },
      afterSigterm: {
        sent: after.length,
        ok: after.filter((o) => o.status === 200).length,
        refused: after.filter((o) => o.code === 'ECONNREFUSED').length,
        other: after.filter((o) => o.status !== 200 && o.code !== 'ECONNREFUSED').length,
      },
      acceptedButFailed: outcomes.filter((o) => accepted.has(o.id) && o.status !== 200),
      readyzAfterSigterm,
      exitCode: exit.code,
      exitSignal: exit.signal,
      msFromSigtermToExit: Math.round(exit.at - sigtermAt),
      logs,
      stderr,
    };
  } finally {
    if (!hasExited) child.kill('SIGKILL');
  }
}
