/**
 * The options table: every answer and every flag is declared here once (like generator-jhipster's
 * command.ts). CLI flags, `--help`, prompts, the answers file, `.yo-rc.json` and the `Answers` type
 * are all derived from it; nothing else lists option names.
 */
import { defaultKubernetesVersion, kubernetesVersions } from '../pins.ts';
import {
  type Parsed,
  parseAccountId,
  parseAccounts,
  parseClusterAdmins,
  parseDomain,
  parseEnvironments,
  parseGithubOwner,
  parseKubernetesVersion,
  parseKubernetesVersions,
  parseOrg,
  parsePort,
  parseRegion,
  parseServiceName,
  parseVpcCidrs,
} from './parsers.ts';

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
  prompt?: { message: string; type?: 'input' | 'select'; choices?: readonly string[] };
  /** Turns raw input (CLI string, YAML/JSON value, prompt string) into the typed value or a reason. */
  parse: (raw: unknown) => Parsed<T>;
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

// ---- the table --------------------------------------------------------------------------------

export const optionTable = {
  org: {
    kind: 'answer',
    scope: 'platform',
    description: 'Organization name; prefixes the repos <org>-infra and <org>-gitops',
    cli: 'string',
    demoDefault: 'acme',
    prompt: { message: 'Organization name (DNS label, e.g. acme)' },
    parse: parseOrg,
  },
  githubOwner: {
    kind: 'answer',
    scope: 'platform',
    description: 'GitHub user or organization that will own the three repos, spelled as GitHub spells it',
    cli: 'string',
    default: (known: Record<string, unknown>) => known.org as string | undefined,
    defaultText: '<org>',
    prompt: { message: 'GitHub owner of the repos' },
    parse: parseGithubOwner,
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
    parse: parseAccounts,
  },
  awsRegion: {
    kind: 'answer',
    scope: 'platform',
    description: 'AWS region of the clusters, ECR and the Terraform state',
    cli: 'string',
    default: 'us-east-1',
    prompt: { message: 'AWS region' },
    parse: parseRegion,
  },
  environments: {
    kind: 'answer',
    scope: 'platform',
    description: 'Ordered environments; the first deploys on every merge, the last is production (pull requests only)',
    cli: 'string',
    default: ['dev', 'prod'],
    prompt: { message: 'Environments, in promotion order (comma-separated)' },
    parse: parseEnvironments,
  },
  kubernetesVersion: {
    kind: 'answer',
    scope: 'platform',
    description: 'EKS Kubernetes version of every cluster',
    cli: 'string',
    default: defaultKubernetesVersion,
    prompt: { message: 'Kubernetes version', type: 'select', choices: kubernetesVersions },
    parse: parseKubernetesVersion,
  },
  kubernetesVersions: {
    kind: 'answer',
    scope: 'platform',
    description:
      'Optional Kubernetes version per environment, e.g. dev=1.35, to upgrade one environment at a time; the others run kubernetesVersion',
    cli: 'string',
    default: {} as Record<string, string>,
    defaultText: 'every environment on kubernetesVersion',
    optional: true,
    parse: parseKubernetesVersions,
  },
  domain: {
    kind: 'answer',
    scope: 'platform',
    description: 'Optional DNS domain; gives services ingress hosts <service>.<env>.<domain>',
    cli: 'string',
    optional: true,
    defaultText: 'none (no ingress)',
    prompt: { message: 'DNS domain for ingress hosts (empty for none)' },
    parse: parseDomain,
  },
  vpcCidrs: {
    kind: 'answer',
    scope: 'platform',
    description:
      'Optional VPC CIDR per environment, e.g. dev=10.10.0.0/16; the others get a free 10.N.0.0/16, recorded and never reused',
    cli: 'string',
    default: {} as Record<string, string>,
    defaultText: '10.10.0.0/16, 10.11.0.0/16, ... in order, never one an environment had before',
    optional: true,
    parse: parseVpcCidrs,
  },
  clusterAdmins: {
    kind: 'answer',
    scope: 'platform',
    description:
      'Optional IAM role ARNs of cluster administrators; each gets admin access to the clusters of its account',
    cli: 'string',
    default: [] as string[],
    defaultText: 'none (add them to cluster_admin_arns in terraform.tfvars later)',
    optional: true,
    prompt: { message: 'IAM role ARNs of the cluster administrators (comma-separated, empty for none)' },
    parse: parseClusterAdmins,
  },
  service: {
    kind: 'answer',
    scope: 'service',
    description: 'Name of the first service (DNS label, 2-40 characters)',
    cli: 'string',
    default: 'api',
    prompt: { message: 'Name of the first service' },
    parse: parseServiceName,
  },
  port: {
    kind: 'answer',
    scope: 'service',
    description: 'Port the service listens on (1024-65535)',
    cli: 'string',
    default: 8080,
    prompt: { message: 'Service port' },
    parse: parsePort,
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
  diff: {
    kind: 'flag',
    cli: 'boolean',
    default: false,
    description: 'Show a unified diff of every file the command changes (with --dry-run: would change)',
  },
  json: {
    kind: 'flag',
    cli: 'boolean',
    default: false,
    description:
      'Print the report as one JSON document on stdout (files per repo, conflicts, exit code and its meaning)',
  },
  purgeImages: {
    kind: 'flag',
    cli: 'boolean',
    default: false,
    description:
      'Delete the ECR repository and every image in it too (default: the repository is kept, out of every pipeline)',
  },
  allowDestroy: {
    kind: 'flag',
    cli: 'boolean',
    default: false,
    description:
      'Allow an answer change that destroys infrastructure (an environment removed, the region or an account moved); the steps to take in AWS are printed',
  },
  after: {
    kind: 'flag',
    cli: 'string',
    description: 'Put the new environment right after this one (default: right before production)',
  },
  before: {
    kind: 'flag',
    cli: 'string',
    description:
      'Put the new environment right before this one (before the first: it becomes the one merges deploy to)',
  },
  production: {
    kind: 'flag',
    cli: 'boolean',
    default: false,
    description: 'The new environment goes after production and becomes production (required to add one there)',
  },
  account: {
    kind: 'flag',
    cli: 'string',
    description: 'AWS account ID (12 digits) of the new environment (default: awsAccountId)',
  },
  environment: {
    kind: 'flag',
    cli: 'string',
    description:
      'With --kubernetes-version: the one environment that moves to it; the others stay where they are (a staged upgrade)',
  },
  successor: {
    kind: 'flag',
    cli: 'string',
    description:
      'Removing the first or the production environment: the neighbour that takes its role (the next one, or the one before production)',
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
type FlagKey = Exclude<keyof Table, AnswerKey>;

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

export type OptionKey = keyof Table;
export type PlatformAnswers = Pick<Answers, PlatformKey>;
/** One service's answers as `.yo-rc.json` stores them (the table's `service` answer is its name). */
export interface ServiceAnswers {
  name: Answers['service'];
  port: Answers['port'];
  /** Set by `service remove`: how far its removal got (generators/service-remove/plan.ts). */
  retired?: Retirement;
  /** `service remove --purge-images`: its ECR repository goes too, with every image in it. */
  purgeImages?: true;
}

/**
 * The stages of a removed service: `pending` (its Applications, chart and values gone, its AppProject
 * destination kept so Argo CD may delete what it deployed), `kept` (gone from the GitOps repo; its ECR
 * repository kept), `purged` (the repository deleted too; the name may be added again).
 */
export const retirements = ['pending', 'kept', 'purged'] as const;
export type Retirement = (typeof retirements)[number];
type PlatformKey = { [K in AnswerKey]: Table[K]['scope'] extends 'platform' ? K : never }[AnswerKey];
export type ServiceKey = Exclude<AnswerKey, PlatformKey>;

/** Answers stored once per platform, and those stored per service, in table order. */
export const platformKeys = answerKeys.filter((k): k is PlatformKey => optionTable[k].scope === 'platform');
export const serviceKeys = answerKeys.filter((k): k is ServiceKey => optionTable[k].scope === 'service');

/**
 * One command of the CLI (each `generators/<command>/command.ts` declares its own): which options
 * of the table it takes, how its help reads, and its Yeoman namespace.
 */
export interface CommandSpec {
  name: 'new' | 'service' | 'upgrade' | 'env add' | 'env remove' | 'service remove';
  summary: string;
  usage: string;
  /** The Yeoman namespace, `yo gitops-platform[:<generator>]`. */
  namespace: string;
  /** Names of its positional arguments, all required, in order. */
  positionals?: readonly string[];
  options: readonly OptionKey[];
  /** How a flag reads in this command's help when it differs from the table. */
  help?: Partial<Record<OptionKey, [flag: string, description: string]>>;
}

/** A command's positional arguments as usage shows them: ` <name>`, or nothing. */
export function positionalsUsage(command: CommandSpec): string {
  return (command.positionals ?? []).map((p) => ` <${p}>`).join('');
}

/** camelCase key -> the --kebab-case flag users type. */
export function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
