/**
 * The options table: every answer and every flag is declared here once (like generator-jhipster's
 * command.ts). CLI flags, `--help`, prompts, the answers file, `.yo-rc.json` and the `Answers` type
 * are all derived from it; nothing else lists option names.
 */
import { defaultKubernetesVersion, kubernetesVersions } from './pins.ts';

/** A rule returns a reason when the value breaks it, undefined when it is fine. */
type Rule<T> = (value: T) => string | undefined;

interface AnswerSpec<T> {
  kind: 'answer';
  description: string;
  /** How the value is spelled on the command line (numbers are strings there; see parse). */
  cli: 'string';
  /** Shown in --help and used for the prompt default. Functions see the answers known so far. */
  default?: T | ((known: Record<string, unknown>) => T | undefined);
  /** Used only with --defaults, for answers that otherwise have no default. */
  demoDefault?: T;
  /** Text for --help when the default is computed. */
  defaultText?: string;
  prompt?: { message: string; type?: 'input' | 'list'; choices?: readonly string[] };
  /** Turns raw input (CLI string, YAML/JSON value, prompt string) into the typed value or a reason. */
  parse: (raw: unknown) => { value: T } | { error: string };
  /** Whether the answer may stay unset after defaults (optional answers). */
  optional?: boolean;
  /** 'service' answers are stored per service in .yo-rc.json, the others once per platform. */
  scope: 'platform' | 'service';
}

interface FlagSpec {
  kind: 'flag';
  description: string;
  cli: 'string' | 'boolean';
  default?: string | boolean;
}

// ---- small parsing helpers -------------------------------------------------------------------

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

function text(raw: unknown): string | undefined {
  return typeof raw === 'string' ? raw : undefined;
}

function label(min: number, max: number, extra: Rule<string>[] = []): AnswerSpec<string>['parse'] {
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
 * AWS account IDs are 12-digit strings. A YAML or JSON number has lost its leading zeros; it is
 * restored only when that is unambiguous (a non-negative integer below 10^12), otherwise refused.
 */
export function parseAccountId(raw: unknown): { value: string } | { error: string } {
  let value: string | undefined;
  if (typeof raw === 'number') {
    if (Number.isSafeInteger(raw) && raw >= 0 && raw < 1e12) value = String(raw).padStart(12, '0');
    else return { error: 'must be exactly 12 digits (a number that cannot be an account ID was given)' };
  } else value = text(raw);
  if (value === undefined || !/^\d{12}$/.test(value)) return { error: 'must be exactly 12 digits' };
  return { value };
}

/** Lists come as arrays (answers file) or comma-separated strings (CLI, prompt). */
function list(raw: unknown): unknown[] | undefined {
  if (Array.isArray(raw)) return raw;
  if (typeof raw === 'string') return raw.split(',').map((s) => s.trim());
  return undefined;
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

/** Why a service name is reserved, or undefined. Shared with the `service` command. */
export function reservedServiceName(name: string): string | undefined {
  if (RESERVED_SERVICES.includes(name) || name.startsWith('kube-')) {
    return `is reserved (it would clash with a platform namespace: ${RESERVED_SERVICES.join(', ')}, kube-*)`;
  }
  return undefined;
}

export const serviceNameParser = label(2, 40, [reservedServiceName]);

// ---- the table --------------------------------------------------------------------------------

export const optionTable = {
  org: {
    kind: 'answer',
    scope: 'platform',
    description: 'Organization name; prefixes the repos <org>-infra and <org>-gitops',
    cli: 'string',
    demoDefault: 'acme',
    prompt: { message: 'Organization name (DNS label, e.g. acme)' },
    parse: label(2, 32),
  },
  githubOwner: {
    kind: 'answer',
    scope: 'platform',
    description: 'GitHub user or organization that will own the three repos',
    cli: 'string',
    default: (known: Record<string, unknown>) => known.org as string | undefined,
    defaultText: '<org>',
    prompt: { message: 'GitHub owner of the repos' },
    parse: (raw) => {
      const value = text(raw);
      if (value === undefined || !/^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/.test(value)) {
        return {
          error:
            'must be a GitHub owner name: 1-39 letters, digits or single hyphens, not starting or ending with a hyphen',
        };
      }
      return { value };
    },
  },
  awsAccountId: {
    kind: 'answer',
    scope: 'platform',
    description: 'AWS account ID (12 digits) for ECR and CI roles, and for every environment not in accounts',
    cli: 'string',
    demoDefault: '123456789012',
    prompt: { message: 'AWS account ID (12 digits)' },
    parse: parseAccountId,
  },
  accounts: {
    kind: 'answer',
    scope: 'platform',
    description: 'Optional account per environment, e.g. dev=111111111111,prod=222222222222',
    cli: 'string',
    default: {} as Record<string, string>,
    defaultText: 'every environment in awsAccountId',
    optional: true,
    parse: (raw) => {
      let entries: [string, unknown][];
      if (typeof raw === 'string') {
        if (raw.trim() === '') return { value: {} };
        entries = [];
        for (const pair of raw.split(',')) {
          const at = pair.indexOf('=');
          if (at < 0) return { error: 'must be a list of environment=accountId pairs separated by commas' };
          entries.push([pair.slice(0, at).trim(), pair.slice(at + 1).trim()]);
        }
      } else if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
        entries = Object.entries(raw);
      } else return { error: 'must be a map of environment to 12-digit account ID' };
      const value: Record<string, string> = {};
      for (const [env, id] of entries) {
        const parsed = parseAccountId(id);
        if ('error' in parsed) return { error: `entry "${env}" ${parsed.error}` };
        value[env] = parsed.value;
      }
      return { value };
    },
  },
  awsRegion: {
    kind: 'answer',
    scope: 'platform',
    description: 'AWS region of the clusters, ECR and the Terraform state',
    cli: 'string',
    default: 'us-east-1',
    prompt: { message: 'AWS region' },
    parse: (raw) => {
      const value = text(raw);
      if (value === undefined || !/^[a-z]{2}-[a-z]+-\d{1,2}$/.test(value)) {
        return { error: 'must be an AWS region such as eu-west-1' };
      }
      // Every ARN the platform writes is in the commercial partition ("arn:aws:").
      if (value.startsWith('cn-')) return { error: 'is in the aws-cn partition, which is not supported' };
      return { value };
    },
  },
  environments: {
    kind: 'answer',
    scope: 'platform',
    description: 'Ordered environments; the first deploys on every merge, the last is production (pull requests only)',
    cli: 'string',
    default: ['dev', 'prod'],
    prompt: { message: 'Environments, in promotion order (comma-separated)' },
    parse: (raw) => {
      const items = list(raw);
      if (!items) return { error: 'must be a list of environment names' };
      if (items.length === 0 || (items.length === 1 && items[0] === '')) return { error: 'must not be empty' };
      if (items.length > 10) return { error: 'must have at most 10 environments' };
      const parse = label(2, 12, [
        (v) => (v === 'global' ? 'is reserved (the infra repo names its account-wide root "global")' : undefined),
        (v) =>
          v.endsWith('-plan')
            ? 'must not end in -plan (the infra repo names the production plan GitHub Environment <prod>-plan)'
            : undefined,
      ]);
      const value: string[] = [];
      for (const item of items) {
        const parsed = parse(item);
        if ('error' in parsed) return { error: `entry ${JSON.stringify(item)} ${parsed.error}` };
        if (value.includes(parsed.value)) return { error: `must not repeat "${parsed.value}"` };
        value.push(parsed.value);
      }
      return { value };
    },
  },
  kubernetesVersion: {
    kind: 'answer',
    scope: 'platform',
    description: 'EKS Kubernetes version of every cluster',
    cli: 'string',
    default: defaultKubernetesVersion,
    prompt: { message: 'Kubernetes version', type: 'list', choices: kubernetesVersions },
    parse: (raw) => {
      const value = typeof raw === 'number' ? raw.toFixed(2) : text(raw);
      if (value === undefined || !(kubernetesVersions as readonly string[]).includes(value)) {
        return { error: `must be a Kubernetes version supported by EKS: ${kubernetesVersions.join(', ')}` };
      }
      return { value };
    },
  },
  domain: {
    kind: 'answer',
    scope: 'platform',
    description: 'Optional DNS domain; gives services ingress hosts <service>.<env>.<domain>',
    cli: 'string',
    optional: true,
    defaultText: 'none (no ingress)',
    prompt: { message: 'DNS domain for ingress hosts (empty for none)' },
    parse: (raw) => {
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
        return {
          error: 'must be a lowercase DNS name of at least two labels, at most 200 characters, e.g. example.com',
        };
      }
      return { value };
    },
  },
  service: {
    kind: 'answer',
    scope: 'service',
    description: 'Name of the first service (DNS label, 2-40 characters)',
    cli: 'string',
    default: 'api',
    prompt: { message: 'Name of the first service' },
    parse: serviceNameParser,
  },
  port: {
    kind: 'answer',
    scope: 'service',
    description: 'Port the service listens on (1024-65535)',
    cli: 'string',
    default: 8080,
    prompt: { message: 'Service port' },
    parse: (raw) => {
      const value = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
      if (!Number.isInteger(value) || value < 1024 || value > 65535) {
        return { error: 'must be an integer from 1024 to 65535' };
      }
      return { value };
    },
  },
  // ---- flags (not answers; never stored) ----
  answers: {
    kind: 'flag',
    cli: 'string',
    description: 'Read answers from a YAML or JSON file (keys as in this table)',
  },
  defaults: {
    kind: 'flag',
    cli: 'boolean',
    default: false,
    description: 'Take every default without asking (demo org "acme", documentation account 123456789012)',
  },
  output: {
    kind: 'flag',
    cli: 'string',
    default: '.',
    description: 'Workspace folder that receives the three repos',
  },
  dryRun: {
    kind: 'flag',
    cli: 'boolean',
    default: false,
    description: 'Print the files each repo would get and write nothing',
  },
  skipGit: {
    kind: 'flag',
    cli: 'boolean',
    default: false,
    description: 'Do not git init or commit the repos',
  },
  skipInstall: {
    kind: 'flag',
    cli: 'boolean',
    default: false,
    description:
      'Do not resolve the package-lock.json of the service repo now (run npm install --package-lock-only before its first push)',
  },
  interactive: {
    kind: 'flag',
    cli: 'boolean',
    description: 'Prompt for missing answers (default: only when stdin is a terminal)',
  },
  infra: {
    kind: 'flag',
    cli: 'string',
    description: 'Path of the <org>-infra repo (default: found in the workspace)',
  },
  gitops: {
    kind: 'flag',
    cli: 'string',
    description: 'Path of the <org>-gitops repo (default: found in the workspace)',
  },
  currentBranch: {
    kind: 'flag',
    cli: 'boolean',
    default: false,
    description:
      'Commit on the current branch of the infra and GitOps repos instead of a new add-service-<name> branch',
  },
  commit: {
    kind: 'flag',
    cli: 'boolean',
    description: 'Commit the changes (service: on unless --no-commit; upgrade: only with --commit)',
  },
  check: {
    kind: 'flag',
    cli: 'boolean',
    default: false,
    description: 'Write nothing; exit 2 when an upgrade would change something, 0 when up to date',
  },
  // biome-ignore lint/suspicious/noExplicitAny: each entry has its own value type; `any` lets one table hold them all.
} as const satisfies Record<string, FlagSpec | AnswerSpec<any>>;

// ---- derived types ----------------------------------------------------------------------------

type Table = typeof optionTable;
type ParsedValue<S> = S extends { parse: (raw: unknown) => infer R } ? Extract<R, { value: unknown }>['value'] : never;

export type AnswerKey = { [K in keyof Table]: Table[K]['kind'] extends 'answer' ? K : never }[keyof Table];
export type FlagKey = Exclude<keyof Table, AnswerKey>;

/** Answers after validation. Optional answers may be absent. */
export type Answers = { [K in AnswerKey]: ParsedValue<Table[K]> } & {};
export type Flags = {
  [K in FlagKey]?: Table[K]['cli'] extends 'boolean' ? boolean : string;
};

export const answerKeys = (Object.keys(optionTable) as (keyof Table)[]).filter(
  (k): k is AnswerKey => optionTable[k].kind === 'answer',
);
export const flagKeys = (Object.keys(optionTable) as (keyof Table)[]).filter(
  (k): k is FlagKey => optionTable[k].kind === 'flag',
);

export function answerSpec(key: AnswerKey): AnswerSpec<unknown> {
  return optionTable[key] as unknown as AnswerSpec<unknown>;
}

/** Which options each command takes (the answers of `new` are the platform's; `service` adds one). */
export const commandOptions = {
  new: [...answerKeys, 'answers', 'defaults', 'output', 'dryRun', 'skipGit', 'skipInstall', 'interactive'],
  service: ['port', 'infra', 'gitops', 'output', 'currentBranch', 'commit', 'dryRun', 'skipInstall'],
  // Every platform answer but org (it names the repos) can change on upgrade.
  upgrade: [
    'githubOwner',
    'awsAccountId',
    'accounts',
    'awsRegion',
    'environments',
    'kubernetesVersion',
    'domain',
    'dryRun',
    'check',
    'commit',
  ],
} as const satisfies Record<string, readonly (keyof Table)[]>;

/** How a flag reads in one command's help when it differs from the table. */
export const commandFlagHelp: Partial<
  Record<keyof typeof commandOptions, Partial<Record<keyof Table, [string, string]>>>
> = {
  service: {
    commit: ['--no-commit', 'Leave the changes in the infra and GitOps repos staged, not committed'],
    output: ['--output <value>', 'Folder that receives the new app repo (default: the workspace of the GitOps repo)'],
  },
  upgrade: {
    commit: ['--commit', 'Commit each upgraded repo (refused while conflicts remain; default: do not commit)'],
  },
};

/** camelCase key -> the --kebab-case flag users type. */
export function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
