/**
 * Configuration from environment variables, read and checked once at start-up. Every problem is
 * reported together and the process stops before it listens, so a bad deploy fails its startup
 * probe instead of serving with a surprising value.
 */

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  /** Name of the service, in every log line. */
  serviceName: string;
  /** TCP port to listen on (0: any free port). */
  port: number;
  /** Address to listen on; absent: every interface (IPv6 and IPv4). */
  host?: string;
  logLevel: LogLevel;
  /** After SIGTERM, keep accepting connections for this long while /readyz answers 503. */
  shutdownDelayMs: number;
  /** Then wait at most this long for in-flight requests before closing their connections and exiting 1. */
  shutdownTimeoutMs: number;
  /** Simulated work in the example route (0 in production; the drain tests use it). */
  helloDelayMs: number;
}

export const DEFAULTS = {
  serviceName: 'api',
  port: 8080,
  logLevel: 'info',
  // Kubernetes (the chart) gives the pod 30 s after deletion: a 10 s preStop sleep (endpoints and
  // load balancer stop sending traffic), then SIGTERM. 0 + 10 s here ends well inside the rest.
  // Readiness answers 503 this long before the listener closes (the chart's preStop sleep has
  // already taken the pod out of the endpoints; this covers clients that still probe it).
  shutdownDelayMs: 1000,
  shutdownTimeoutMs: 10_000,
  helloDelayMs: 0,
} as const satisfies Omit<Config, 'host'>;

export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type Env = Readonly<NodeJS.ProcessEnv>;

function integer(env: Env, name: string, fallback: number, min: number, max: number, problems: string[]): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value >= min && value <= max)) {
    problems.push(`${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(env[name])}`);
    return fallback;
  }
  return value;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T, problems: string[]): T {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  problems.push(`${name} must be one of ${allowed.join(', ')}, not ${JSON.stringify(env[name])}`);
  return fallback;
}

/** Reads the configuration; throws a ConfigError that lists every invalid variable. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const config: Config = {
    serviceName: DEFAULTS.serviceName,
    port: integer(env, 'PORT', DEFAULTS.port, 0, 65_535, problems),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, DEFAULTS.logLevel, problems),
    shutdownDelayMs: integer(env, 'SHUTDOWN_DELAY_MS', DEFAULTS.shutdownDelayMs, 0, 60_000, problems),
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', DEFAULTS.shutdownTimeoutMs, 100, 120_000, problems),
    helloDelayMs: integer(env, 'HELLO_DELAY_MS', DEFAULTS.helloDelayMs, 0, 10_000, problems),
  };
  const host = env.HOST?.trim();
  if (host) {
    if (/^[\w.:%-]+$/.test(host)) config.host = host;
    else problems.push(`HOST must be an IP address or host name, not ${JSON.stringify(env.HOST)}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
