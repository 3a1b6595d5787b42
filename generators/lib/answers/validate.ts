/**
 * How answers are checked: every rule of the options table, then the rules that span several
 * answers, before anything is written. Platform answers and service answers have a check each,
 * derived from the table's `scope`; `new`, `service` and the services recorded in `.yo-rc.json`
 * all go through the same service check.
 */
import { ValidationError, type Violation } from '../errors.ts';
import { allocateVpcCidrs, roleArnAccount } from './parsers.ts';
import {
  type AnswerKey,
  answerKeys,
  answerSpec,
  flagName,
  type PlatformAnswers,
  platformKeys,
  retirements,
  type ServiceAnswers,
  type ServiceKey,
  serviceKeys,
} from './table.ts';

export type RawAnswers = Partial<Record<AnswerKey, unknown>>;

/** How a violation names an answer: its key, or where a recorded service keeps it. */
type FieldName = (key: AnswerKey) => string;
const asKey: FieldName = (key) => key;

/** Checks each given answer on its own. */
function checkEach(
  raw: RawAnswers,
  keys: readonly AnswerKey[],
  field = asKey,
): { parsed: Record<string, unknown>; violations: Violation[] } {
  const parsed: Record<string, unknown> = {};
  const violations: Violation[] = [];
  for (const key of keys) {
    if (raw[key] === undefined) continue;
    const result = answerSpec(key).parse(raw[key]);
    if ('error' in result) violations.push({ field: field(key), value: raw[key], rule: result.error });
    else parsed[key] = result.value;
  }
  return { parsed, violations };
}

/** Answers given so far are checked at once, so a bad flag fails before any prompt. */
export function checkGiven(raw: RawAnswers): Partial<Record<AnswerKey, unknown>> {
  const { parsed, violations } = checkEach(raw, answerKeys);
  if (violations.length > 0) throw new ValidationError(violations);
  return parsed;
}

/** The default of one answer given the answers known so far (demo defaults only with --defaults). */
export function defaultFor(key: AnswerKey, known: Record<string, unknown>, useDemo: boolean): unknown {
  const spec = answerSpec(key);
  const value = typeof spec.default === 'function' ? spec.default(known) : spec.default;
  if (value !== undefined) return value;
  return useDemo ? spec.demoDefault : undefined;
}

/** Fills defaults in table order (so githubOwner sees org); lists what is still missing. */
function complete(
  given: RawAnswers,
  keys: readonly AnswerKey[],
  useDemo: boolean,
  field = asKey,
): { known: Record<string, unknown>; violations: Violation[] } {
  const { parsed, violations } = checkEach(given, keys, field);
  const known: Record<string, unknown> = { ...parsed };
  for (const key of keys) {
    if (known[key] !== undefined) continue;
    const fallback = defaultFor(key, known, useDemo);
    if (fallback !== undefined) known[key] = fallback;
    // A default computed from another answer (githubOwner from org) is reported through that answer.
    else if (given[key] === undefined && !answerSpec(key).optional && typeof answerSpec(key).default !== 'function') {
      violations.push({
        field: field(key),
        value: undefined,
        rule: `is required: pass --${flagName(key)}, put it in --answers, run in a terminal to be asked, or use --defaults`,
      });
    }
  }
  return { known, violations };
}

/** Rules across platform answers. */
function platformRules(a: PlatformAnswers): Violation[] {
  // Maps by environment name only name environments of the platform.
  const unknown = (field: 'accounts' | 'kubernetesVersions') =>
    Object.keys(a[field] ?? {})
      .filter((env) => !a.environments.includes(env))
      .map((env) => ({
        field,
        value: env,
        rule: `names an environment that is not in environments (${a.environments.join(', ')})`,
      }));
  const accounts = unknown('accounts');
  const versions = unknown('kubernetesVersions');
  // An access entry takes a role of the cluster's own account: one of another account would give no one access.
  const used = new Set(a.environments.map((env) => a.accounts?.[env] ?? a.awsAccountId));
  const admins = (a.clusterAdmins ?? [])
    .filter((arn) => !used.has(roleArnAccount(arn)))
    .map((arn) => ({
      field: 'clusterAdmins',
      value: arn,
      rule: `is a role of account ${roleArnAccount(arn)}, where no environment runs (${[...used].join(', ')})`,
    }));
  return [...accounts, ...versions, ...admins];
}

/** Whether one of a service's ingress hosts, <service>.<env>.<domain>, is too long for DNS (253). */
function ingressHostTooLong(service: string, platform: PlatformAnswers): boolean {
  if (!platform.domain) return false;
  return platform.environments.some((e) => `${service}.${e}.${platform.domain}`.length > 253);
}

/** Rules of one service against the platform and the services it already has. */
function serviceRules(
  service: ServiceAnswers,
  platform: PlatformAnswers,
  others: readonly ServiceAnswers[],
  field: string,
): Violation[] {
  const violation = (rule: string) => [{ field, value: service.name, rule }];
  const same = others.find((s) => s.name === service.name && s.retired !== 'purged');
  if (same?.retired) {
    return violation(
      'was removed, and its ECR repository is kept under that name: pick another name, or delete the repository first (`gitops-platform service remove <name> --purge-images`)',
    );
  }
  if (same) return violation('already exists in this platform');
  for (const repo of [`${platform.org}-infra`, `${platform.org}-gitops`]) {
    if (service.name === repo) return violation(`clashes with the repo name ${repo}`);
  }
  if (ingressHostTooLong(service.name, platform)) {
    return violation(`makes its ingress hosts (<service>.<env>.${platform.domain}) longer than 253 characters`);
  }
  return [];
}

/** In `new`, the domain is what makes the first service's hosts too long (the name has a default). */
function blameDomain(violation: Violation, platform: PlatformAnswers): Violation {
  return violation.rule.startsWith('makes its ingress hosts')
    ? { field: 'domain', value: platform.domain, rule: 'makes ingress hosts longer than 253 characters' }
    : violation;
}

function throwIfAny(violations: Violation[]): void {
  if (violations.length > 0) throw new ValidationError(violations);
}

/** The platform answers of `new` or of recorded state: defaults, every rule, or a ValidationError. */
export function completePlatform(given: RawAnswers, useDemo: boolean): PlatformAnswers {
  const { known, violations } = complete(given, platformKeys, useDemo);
  throwIfAny(violations);
  const platform = known as PlatformAnswers;
  throwIfAny(platformRules(platform));
  return recordable(platform);
}

/**
 * The answers as they are recorded. VPC CIDRs are allocated once, then recorded: an environment added
 * later never gets one another had. A per-environment Kubernetes version equal to kubernetesVersion is
 * dropped, so the environments that caught up follow kubernetesVersion again.
 */
function recordable(platform: PlatformAnswers): PlatformAnswers {
  const kubernetesVersions = Object.fromEntries(
    Object.entries(platform.kubernetesVersions ?? {}).filter(([, v]) => v !== platform.kubernetesVersion),
  );
  return {
    ...platform,
    kubernetesVersions,
    vpcCidrs: allocateVpcCidrs(platform.environments, platform.vpcCidrs ?? {}),
  };
}

function serviceOf(known: Record<string, unknown>): ServiceAnswers {
  return { name: known.service, port: known.port } as ServiceAnswers;
}

/**
 * One service's answers (the table's `service` answer is its name), checked by the table's service
 * rules and against the platform and its other services.
 */
export function checkService(
  given: Partial<Record<ServiceKey, unknown>>,
  platform: PlatformAnswers,
  others: readonly ServiceAnswers[],
  field = asKey,
): ServiceAnswers {
  const { known, violations } = complete(given, serviceKeys, false, field);
  throwIfAny(violations);
  const service = serviceOf(known);
  throwIfAny(serviceRules(service, platform, others, field('service')));
  return service;
}

/** Services as recorded in `.yo-rc.json`, each checked as `checkService` checks a new one. */
export function checkServices(recorded: unknown, platform: PlatformAnswers): ServiceAnswers[] {
  const entries: unknown[] = Array.isArray(recorded) ? recorded : [];
  const services: ServiceAnswers[] = [];
  const violations: Violation[] = [];
  entries.forEach((entry, i) => {
    const s = (entry ?? {}) as Partial<Record<keyof ServiceAnswers, unknown>>;
    try {
      // null, not undefined: a recorded service has no defaults to fall back on.
      const field = (key: AnswerKey) => `services[${i}].${key === 'service' ? 'name' : key}`;
      const service = checkService({ service: s.name ?? null, port: s.port ?? null }, platform, services, field);
      services.push({ ...service, ...removal(s, i) });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      violations.push(...error.violations);
    }
  });
  throwIfAny(violations);
  return services;
}

/** How far a recorded service's removal got (service remove), checked. */
function removal(s: Partial<Record<keyof ServiceAnswers, unknown>>, i: number): Partial<ServiceAnswers> {
  const violations: Violation[] = [];
  if (s.retired !== undefined && !retirements.includes(s.retired as never)) {
    violations.push({
      field: `services[${i}].retired`,
      value: s.retired,
      rule: `must be one of ${retirements.join(', ')}`,
    });
  }
  if (s.purgeImages !== undefined && (s.purgeImages !== true || s.retired === undefined)) {
    violations.push({
      field: `services[${i}].purgeImages`,
      value: s.purgeImages,
      rule: 'must be true, and only on a removed service (retired)',
    });
  }
  throwIfAny(violations);
  return {
    ...(s.retired !== undefined && { retired: s.retired as ServiceAnswers['retired'] }),
    ...(s.purgeImages === true && { purgeImages: true as const }),
  };
}

/** Every answer of `new`, the platform and its first service; each answer's own rule is reported at once. */
export function completeAnswers(
  given: RawAnswers,
  useDemo: boolean,
): { platform: PlatformAnswers; service: ServiceAnswers } {
  const platformPart = complete(given, platformKeys, useDemo);
  const servicePart = complete(given, serviceKeys, useDemo);
  throwIfAny([...platformPart.violations, ...servicePart.violations]);
  const platform = platformPart.known as PlatformAnswers;
  const service = serviceOf(servicePart.known);
  const serviceViolations = serviceRules(service, platform, [], 'service').map((v) => blameDomain(v, platform));
  throwIfAny([...platformRules(platform), ...serviceViolations]);
  return { platform: recordable(platform), service };
}

/**
 * The rules across answers that a prompt can check at once, with the answers known so far: a
 * service name that clashes with a repo or makes an ingress host too long, a domain that makes one
 * too long for a service already named, environments that leave out an environment of `accounts`,
 * a cluster administrator's role in an account where no environment runs.
 * The reason a value breaks one, or undefined (also when the other answers are not known yet).
 */
export function ruleAtPrompt(key: AnswerKey, value: unknown, known: Record<string, unknown>): string | undefined {
  const answers = { ...known, [key]: value } as Partial<PlatformAnswers> & { service?: string };
  if ((key === 'service' || key === 'domain') && answers.service && answers.org && answers.environments) {
    const platform = answers as PlatformAnswers;
    // The service rules read its name only.
    const service = { name: answers.service } as ServiceAnswers;
    const broken = serviceRules(service, platform, [], 'service').map((v) =>
      key === 'domain' ? blameDomain(v, platform) : v,
    );
    return broken[0]?.rule;
  }
  if (key === 'clusterAdmins' && answers.environments && answers.awsAccountId) {
    // Each administrator's role must be in an account where an environment runs.
    const broken = platformRules(answers as PlatformAnswers).find((v) => v.field === 'clusterAdmins');
    return broken && `${broken.value} ${broken.rule}`;
  }
  if ((key === 'environments' || key === 'accounts') && answers.environments) {
    const broken = platformRules(answers as PlatformAnswers).map((v) => v.value);
    if (broken.length === 0) return undefined;
    return key === 'environments'
      ? `leaves out ${broken.join(', ')}, which accounts names`
      : `names ${broken.join(', ')}, not in environments (${answers.environments.join(', ')})`;
  }
  return undefined;
}
