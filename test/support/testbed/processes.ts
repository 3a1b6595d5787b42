// Processes of the live test bed: each one logs to its own file, is remembered by PID and is
// stopped by PID (SIGTERM, then SIGKILL), also when a test fails or the run is interrupted.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface BedProcess {
  name: string;
  pid: number;
  log: string;
  child: ChildProcess;
  exited: Promise<number | null>;
}

const running = new Set<BedProcess>();

/** Starts `command` with its output in `<logDir>/<name>.log`; the process is stopped by stopAll. */
export function start(
  name: string,
  command: string,
  args: string[],
  options: { logDir: string; env?: NodeJS.ProcessEnv; cwd?: string; argv0?: string },
): BedProcess {
  const log = join(options.logDir, `${name}.log`);
  const fd = openSync(log, 'a');
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    argv0: options.argv0,
    stdio: ['ignore', fd, fd],
    // Its own process group, so a Ctrl-C of the test run does not kill it before stopAll logs.
    detached: true,
  });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const proc: BedProcess = { name, pid: child.pid, log, child, exited };
  running.add(proc);
  void exited.then(() => running.delete(proc));
  return proc;
}

/** The last lines of a process log, for error messages. */
export function tail(log: string, lines = 30): string {
  if (!existsSync(log)) return '(no log)';
  return readFileSync(log, 'utf8').split('\n').slice(-lines).join('\n');
}

/** The last error and warning lines of a JSON (logrus) log, shortened, for failure reports. */
export function problems(log: string, lines = 8): string {
  if (!existsSync(log)) return '(no log)';
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter((l) => /"level":"(error|warning|fatal)"/.test(l))
    .slice(-lines)
    .map((l) => (l.length > 500 ? `${l.slice(0, 500)}...` : l))
    .join('\n');
}

/** Stops one process by PID: SIGTERM, then SIGKILL after `graceMs`. */
export async function stop(proc: BedProcess, graceMs = 5000): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  try {
    process.kill(proc.pid, 'SIGTERM');
  } catch {
    return;
  }
  const killed = await Promise.race([proc.exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (!killed) {
    try {
      process.kill(proc.pid, 'SIGKILL');
    } catch {}
    await proc.exited;
  }
}

/** Stops every process this run started, newest first (Argo CD before the API server before etcd). */
export async function stopAll(): Promise<void> {
  const procs = [...running].reverse();
  await Promise.all(procs.map((p) => stop(p)));
}

// A Ctrl-C or kill of the test run still stops the bed.
let hooked = false;
export function stopOnExit(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', () => {
    for (const p of running) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {}
    }
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void stopAll().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    });
  }
}

/** A TCP port that is free on 127.0.0.1 right now (the OS picks it, so parallel runs differ). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('no port'));
      server.close(() => resolve(address.port));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a value (not undefined), or fails after `timeoutMs` with `what`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const detail = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${detail}`);
    }
    await sleep(intervalMs);
  }
}

/** Runs a command to completion with a timeout; throws with its output when it fails. */
export function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {},
): string {
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    input: options.input,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw new Error(`${command} ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}:\n${result.stdout}${result.stderr}`);
  }
  return result.stdout;
}

/** An object as kubectl -o json or a YAML file gives it, read field by field. */
// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects of any kind; the tests check the fields they read.
export type KubeObject = any;
