/**
 * Where answers come from and how they are checked: the answers file, command-line options,
 * defaults and prompts are merged here, then every rule of the options table (and the rules that
 * span several answers) runs before anything is written.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseDocument, visit } from 'yaml';
import { UsageError, ValidationError, type Violation } from './errors.ts';
import { type AnswerKey, type Answers, answerKeys, answerSpec, flagName } from './options.ts';

export type RawAnswers = Partial<Record<AnswerKey, unknown>>;

/**
 * Reads an answers file. YAML plain scalars that look like numbers are kept as their source text,
 * so `awsAccountId: 012345678901` keeps its leading zero (YAML would read 12345678901) and
 * `kubernetesVersion: 1.30` stays "1.30". JSON numbers are numbers; the parsers restore or refuse them.
 */
export function loadAnswersFile(path: string): RawAnswers {
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--answers: cannot read ${path}: ${(error as Error).message}`);
  }
  let data: unknown;
  if (extname(path).toLowerCase() === '.json') {
    try {
      data = JSON.parse(source);
    } catch (error) {
      throw new UsageError(`--answers: ${path} is not valid JSON: ${(error as Error).message}`);
    }
  } else {
    const doc = parseDocument(source);
    if (doc.errors.length > 0) {
      throw new UsageError(`--answers: ${path} is not valid YAML: ${doc.errors[0].message}`);
    }
    visit(doc, {
      Scalar(_key, node) {
        if (typeof node.value === 'number' && node.source && /^\d+(\.\d+)?$/.test(node.source)) {
          node.value = node.source;
        }
      },
    });
    data = doc.toJS();
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw new UsageError(`--answers: ${path} must hold a map of answers (keys: ${answerKeys.join(', ')})`);
  }
  const unknown = Object.keys(data).filter((k) => !(answerKeys as string[]).includes(k));
  if (unknown.length > 0) {
    throw new ValidationError(
      unknown.map((field) => ({
        field,
        value: (data as Record<string, unknown>)[field],
        rule: `is not a known answer (known: ${answerKeys.join(', ')})`,
      })),
    );
  }
  return data as RawAnswers;
}

/** Checks each given answer on its own; returns the violations (empty when all are fine). */
function checkEach(raw: RawAnswers): { parsed: Partial<Answers>; violations: Violation[] } {
  const parsed: Record<string, unknown> = {};
  const violations: Violation[] = [];
  for (const key of answerKeys) {
    if (!(key in raw) || raw[key] === undefined) continue;
    const result = answerSpec(key).parse(raw[key]);
    if ('error' in result) violations.push({ field: key, value: raw[key], rule: result.error });
    else parsed[key] = result.value;
  }
  return { parsed: parsed as Partial<Answers>, violations };
}

/** Rules that involve more than one answer. */
function checkTogether(a: Answers): Violation[] {
  const violations: Violation[] = [];
  for (const env of Object.keys(a.accounts ?? {})) {
    if (!a.environments.includes(env)) {
      violations.push({
        field: 'accounts',
        value: env,
        rule: `names an environment that is not in environments (${a.environments.join(', ')})`,
      });
    }
  }
  for (const repo of [`${a.org}-infra`, `${a.org}-gitops`]) {
    if (a.service === repo) {
      violations.push({ field: 'service', value: a.service, rule: `clashes with the repo name ${repo}` });
    }
  }
  if (ingressHostTooLong(a.service, a.environments, a.domain)) {
    violations.push({ field: 'domain', value: a.domain, rule: 'makes ingress hosts longer than 253 characters' });
  }
  return violations;
}

/** Whether one of a service's ingress hosts, <service>.<env>.<domain>, is too long for DNS (253). */
export function ingressHostTooLong(service: string, environments: string[], domain: string | undefined): boolean {
  if (!domain) return false;
  return environments.some((e) => `${service}.${e}.${domain}`.length > 253);
}

/** Answers given so far are checked at once, so a bad flag fails before any prompt. */
export function checkGiven(raw: RawAnswers): Partial<Answers> {
  const { parsed, violations } = checkEach(raw);
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

/** Answers that are still unset and have no default: these must be asked or given. */
export function missingRequired(known: Record<string, unknown>, useDemo: boolean): AnswerKey[] {
  return answerKeys.filter(
    (key) =>
      known[key] === undefined &&
      !answerSpec(key).optional &&
      // A default computed from another answer (githubOwner from org) is reported through that answer.
      typeof answerSpec(key).default !== 'function' &&
      defaultFor(key, known, useDemo) === undefined,
  );
}

/** Fills defaults in table order (so githubOwner sees org) and validates everything. */
export function completeAnswers(given: RawAnswers, useDemo: boolean): Answers {
  const { parsed, violations } = checkEach(given);
  const known: Record<string, unknown> = { ...parsed };
  for (const key of answerKeys) {
    if (known[key] !== undefined) continue;
    const fallback = defaultFor(key, known, useDemo);
    if (fallback !== undefined) known[key] = fallback;
  }
  const missing = missingRequired(known, useDemo).filter((key) => given[key] === undefined);
  for (const key of missing) {
    violations.push({
      field: key,
      value: undefined,
      rule: `is required: pass --${flagName(key)}, put it in --answers, run in a terminal to be asked, or use --defaults`,
    });
  }
  if (violations.length > 0) throw new ValidationError(violations);
  const answers = known as Answers;
  const together = checkTogether(answers);
  if (together.length > 0) throw new ValidationError(together);
  return answers;
}
