/**
 * The parsers of the options table: each turns raw input (a CLI string, a YAML/JSON value, a prompt
 * string) into the typed value, or says which rule it breaks. They read nothing and write nothing.
 */
import { kubernetesVersions } from '../pins.ts';

export type Parsed<T> = { value: T } | { error: string };
/** A rule returns a reason when the value breaks it, undefined when it is fine. */
type Rule<T> = (value: T) => string | undefined;

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** Text as given, without the spaces around it (a pasted value often has some). */
function text(raw: unknown): string | undefined {
  return typeof raw === 'string' ? raw.trim() : undefined;
}

function label(min: number, max: number, extra: Rule<string>[] = []): (raw: unknown) => Parsed<string> {
  return (raw) => {
    const value = text(raw);
    if (value === undefined) return { error: 'must be a string' };
    if (value.length < min || value.length > max) return { error: `must be ${min}-${max} characters long` };
    if (!DNS_LABEL.test(value)) {
      return {
        error:
          'must be a DNS-1123 label: lowercase letters, digits and hyphens, starting and ending with a letter or digit',
      };
    }
    for (const rule of extra) {
      const error = rule(value);
      if (error) return { error };
    }
    return { value };
  };
}

/**
 * AWS account IDs are 12-digit strings. A number (JSON `1234`, a hand-edited .yo-rc.json) has lost
 * any leading zeros and cannot say how many: refused, never padded into a wrong ARN. (An unquoted
 * YAML scalar keeps its text: file.ts reads digits as written.)
 */
export function parseAccountId(raw: unknown): Parsed<string> {
  if (typeof raw === 'number') {
    return { error: 'is a number, which loses leading zeros: quote it, as in "012345678901"' };
  }
  const value = text(raw);
  if (value === undefined || !/^\d{12}$/.test(value)) return { error: 'must be exactly 12 digits' };
  return { value };
}

/** Lists come as arrays (answers file) or comma-separated strings (CLI, prompt). */
function list(raw: unknown): unknown[] | undefined {
  if (Array.isArray(raw)) return raw;
  if (typeof raw === 'string') return raw.split(',').map((s) => s.trim());
  return undefined;
}

export const parseOrg = label(2, 32);

export function parseGithubOwner(raw: unknown): Parsed<string> {
  const value = text(raw);
  if (value === undefined || !/^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/.test(value)) {
    return {
      error:
        'must be a GitHub owner name: 1-39 letters, digits or single hyphens, not starting or ending with a hyphen',
    };
  }
  return { value };
}

/**
 * The entries of a per-environment map: `env=value,env=value` on the command line, a map in an
 * answers file; `what` names the value in errors. An empty string is an empty map.
 */
function environmentMap(raw: unknown, what: { pair: string; map: string }): Parsed<[string, unknown][]> {
  if (typeof raw === 'string') {
    if (raw.trim() === '') return { value: [] };
    const entries: [string, unknown][] = [];
    for (const pair of raw.split(',')) {
      const at = pair.indexOf('=');
      if (at < 0) return { error: `must be a list of environment=${what.pair} pairs separated by commas` };
      entries.push([pair.slice(0, at).trim(), pair.slice(at + 1).trim()]);
    }
    return { value: entries };
  }
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) return { value: Object.entries(raw) };
  return { error: `must be a map of environment to ${what.map}` };
}

/** A per-environment map whose values each pass `parseOne`; `one` names a value in the duplicate rule. */
function perEnvironment(
  raw: unknown,
  what: { pair: string; map: string; one: string },
  parseOne: (raw: unknown) => Parsed<string>,
): Parsed<Record<string, string>> {
  const entries = environmentMap(raw, what);
  if ('error' in entries) return entries;
  const value: Record<string, string> = {};
  for (const [env, item] of entries.value) {
    if (Object.hasOwn(value, env))
      return { error: `names "${env}" more than once; give each environment one ${what.one}` };
    const parsed = parseOne(item);
    if ('error' in parsed) return { error: `entry "${env}" ${parsed.error}` };
    value[env] = parsed.value;
  }
  return { value };
}

/** `dev=111111111111,prod=222222222222` on the command line, a map in an answers file. */
export function parseAccounts(raw: unknown): Parsed<Record<string, string>> {
  return perEnvironment(raw, { pair: 'accountId', map: '12-digit account ID', one: 'account' }, parseAccountId);
}

/** A private /16 (RFC 1918): what terraform/vpc divides into its subnets. */
const PRIVATE_16 = /^(10\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)|172\.(1[6-9]|2\d|3[01])|192\.168)\.0\.0\/16$/;

/**
 * VPC CIDR per environment, recorded once allocated. Names of removed environments may stay: their
 * CIDRs are never given to another environment.
 */
export function parseVpcCidrs(raw: unknown): Parsed<Record<string, string>> {
  const entries = environmentMap(raw, { pair: 'CIDR', map: 'VPC CIDR' });
  if ('error' in entries) return entries;
  const value: Record<string, string> = {};
  for (const [env, cidr] of entries.value) {
    if ('error' in environmentName(env)) {
      return { error: `entry "${env}" is not an environment name (2-12 lowercase letters, digits and '-')` };
    }
    if (Object.hasOwn(value, env)) return { error: `names "${env}" more than once` };
    if (typeof cidr !== 'string' || !PRIVATE_16.test(cidr)) {
      return { error: `entry "${env}" must be a private /16 (10.N.0.0/16, 172.16-31.0.0/16 or 192.168.0.0/16)` };
    }
    const owner = Object.keys(value).find((other) => value[other] === cidr);
    if (owner) return { error: `gives ${cidr} to both "${owner}" and "${env}": each VPC needs a CIDR of its own` };
    value[env] = cidr;
  }
  return { value };
}

/**
 * Each environment's VPC CIDR: the recorded one, or else the lowest 10.N.0.0/16 (N from 10) that no
 * environment, present or removed, has had. Recorded entries of removed environments are kept.
 */
export function allocateVpcCidrs(
  environments: readonly string[],
  recorded: Record<string, string>,
): Record<string, string> {
  const taken = new Set(Object.values(recorded));
  const out: Record<string, string> = {};
  let n = 10;
  for (const env of environments) {
    if (recorded[env]) {
      out[env] = recorded[env];
      continue;
    }
    while (taken.has(`10.${n}.0.0/16`)) n++;
    out[env] = `10.${n}.0.0/16`;
    taken.add(out[env]);
  }
  for (const env of Object.keys(recorded).sort()) if (!(env in out)) out[env] = recorded[env];
  return out;
}

/** An IAM role ARN, as EKS access entries take it: `arn:<partition>:iam::<account>:role/<path/name>`. */
const ROLE_ARN = /^arn:aws(-[a-z]+)*:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;

/** The account of a role ARN that parseClusterAdmins accepted. */
export function roleArnAccount(arn: string): string {
  return ROLE_ARN.exec(arn)?.[2] ?? '';
}

export function parseClusterAdmins(raw: unknown): Parsed<string[]> {
  const items = list(raw);
  if (!items) return { error: 'must be a list of IAM role ARNs' };
  const value: string[] = [];
  for (const item of items) {
    if (item === '') continue;
    const arn = text(item);
    if (arn === undefined || !ROLE_ARN.test(arn)) {
      return {
        error: `entry ${JSON.stringify(item)} must be an IAM role ARN, e.g. arn:aws:iam::111111111111:role/platform-admin`,
      };
    }
    if (value.includes(arn)) return { error: `must not repeat ${arn}` };
    value.push(arn);
  }
  return { value };
}

export function parseRegion(raw: unknown): Parsed<string> {
  const value = text(raw);
  if (value === undefined || !/^[a-z]{2}-[a-z]+-\d{1,2}$/.test(value)) {
    return { error: 'must be an AWS region such as eu-west-1' };
  }
  // Every ARN the platform writes is in the commercial partition ("arn:aws:").
  if (value.startsWith('cn-')) return { error: 'is in the aws-cn partition, which is not supported' };
  return { value };
}

const environmentName = label(2, 12, [
  (v) => (v === 'global' ? 'is reserved (the infra repo names its account-wide root "global")' : undefined),
  (v) =>
    v.endsWith('-plan')
      ? 'must not end in -plan (the infra repo names the production plan GitHub Environment <prod>-plan)'
      : undefined,
]);

export function parseEnvironments(raw: unknown): Parsed<string[]> {
  const items = list(raw);
  if (!items) return { error: 'must be a list of environment names' };
  if (items.length === 0 || (items.length === 1 && items[0] === '')) return { error: 'must not be empty' };
  // The first environment takes every merge, the last is production (reviewed pull requests only):
  // one environment would be both, and every merge would reach production unreviewed.
  if (items.length === 1) {
    return {
      error:
        'must name at least two environments: the first deploys every merge, the last is production and changes only through reviewed pull requests',
    };
  }
  if (items.length > 10) return { error: 'must have at most 10 environments' };
  const value: string[] = [];
  for (const item of items) {
    const parsed = environmentName(item);
    if ('error' in parsed) return { error: `entry ${JSON.stringify(item)} ${parsed.error}` };
    if (value.includes(parsed.value)) return { error: `must not repeat "${parsed.value}"` };
    value.push(parsed.value);
  }
  return { value };
}

export function parseKubernetesVersion(raw: unknown): Parsed<string> {
  const value = typeof raw === 'number' ? raw.toFixed(2) : text(raw);
  if (value === undefined || !(kubernetesVersions as readonly string[]).includes(value)) {
    return { error: `must be a Kubernetes version supported by EKS: ${kubernetesVersions.join(', ')}` };
  }
  return { value };
}

/** `dev=1.35` on the command line, a map in an answers file: environments ahead of (or behind) the rest. */
export function parseKubernetesVersions(raw: unknown): Parsed<Record<string, string>> {
  return perEnvironment(raw, { pair: 'version', map: 'Kubernetes version', one: 'version' }, parseKubernetesVersion);
}

export function parseDomain(raw: unknown): Parsed<string> {
  const value = text(raw);
  if (value === undefined) return { error: 'must be a string' };
  // Empty means "no domain" (upgrade --domain '' removes the ingress hosts).
  if (value === '') return { value };
  const labels = value.split('.');
  if (
    value.length > 200 ||
    labels.length < 2 ||
    !labels.every((l) => l.length <= 63 && DNS_LABEL.test(l)) ||
    /^\d+$/.test(labels[labels.length - 1])
  ) {
    return { error: 'must be a lowercase DNS name of at least two labels, at most 200 characters, e.g. example.com' };
  }
  return { value };
}

const RESERVED_SERVICES = [
  'argocd',
  'argo-cd',
  'default',
  'external-secrets',
  'kube-node-lease',
  'kube-public',
  'kube-system',
  'platform',
];

function reservedServiceName(name: string): string | undefined {
  if (RESERVED_SERVICES.includes(name) || name.startsWith('kube-')) {
    return `is reserved (it would clash with a platform namespace: ${RESERVED_SERVICES.join(', ')}, kube-*)`;
  }
  return undefined;
}

export const parseServiceName = label(2, 40, [reservedServiceName]);

export function parsePort(raw: unknown): Parsed<number> {
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(value) || value < 1024 || value > 65535) {
    return { error: 'must be an integer from 1024 to 65535' };
  }
  return { value };
}
