/**
 * Reading the state of repos that `new` made: their `.yo-rc.json` and manifest, and finding the
 * infra and GitOps repos of a workspace. Later commands (service, upgrade) start here.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { completeAnswers } from './answers.ts';
import { UsageError, ValidationError, type Violation } from './errors.ts';
import type { PlatformAnswers, RepoKind, ServiceAnswers } from './model.ts';
import { answerSpec } from './options.ts';
import { MANIFEST, type Manifest, PACKAGE_NAME, type RepoState, YO_RC } from './state.ts';

export interface LocatedRepo {
  dir: string;
  state: RepoState;
}

export function readRepoState(dir: string): RepoState | undefined {
  const file = join(dir, YO_RC);
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  const state = (parsed as Record<string, RepoState | undefined>)[PACKAGE_NAME];
  if (!state || typeof state !== 'object' || !state.repo || !state.answers) return undefined;
  return state;
}

export function readManifest(dir: string): Manifest | undefined {
  const file = join(dir, MANIFEST);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Manifest) : undefined;
}

/**
 * Recorded answers, checked by today's rules (a hand-edited .yo-rc.json must not smuggle in a
 * value `new` would have refused). The first service stands in for the service answers.
 */
export function recordedAnswers(state: RepoState): { platform: PlatformAnswers; services: ServiceAnswers[] } {
  const recorded = Array.isArray(state.services) ? state.services : [];
  // Every recorded service passes the rules of `new` (a name is a path component of every repo).
  const violations: Violation[] = [];
  const services = recorded.map((s, i) => {
    const name = answerSpec('service').parse(s?.name);
    const port = answerSpec('port').parse(s?.port);
    if ('error' in name) violations.push({ field: `services[${i}].name`, value: s?.name, rule: name.error });
    if ('error' in port) violations.push({ field: `services[${i}].port`, value: s?.port, rule: port.error });
    return { name: 'value' in name ? (name.value as string) : '', port: 'value' in port ? (port.value as number) : 0 };
  });
  if (violations.length > 0) throw new ValidationError(violations);
  const answers = completeAnswers({ ...state.answers, service: services[0]?.name ?? 'api', port: 8080 }, false);
  const { service: _service, port: _port, ...platform } = answers;
  return { platform, services };
}

/** The repos made by this package among `folder` and its children (of one kind, or all). */
export function reposIn(folder: string, kind?: RepoKind): LocatedRepo[] {
  const found: LocatedRepo[] = [];
  const candidates = [
    folder,
    ...readdirSync(folder)
      .sort()
      .map((entry) => join(folder, entry)),
  ];
  for (const dir of candidates) {
    if (!statSync(dir).isDirectory()) continue;
    const state = readRepoState(dir);
    if (state && (kind === undefined || state.repo === kind)) found.push({ dir, state });
  }
  return found;
}

/**
 * The repo of one kind: the explicit path when given, otherwise the one in the current folder, in
 * the workspace folder around it, or among the folder's children. More than one match is refused.
 */
export function findRepo(kind: RepoKind, cwd: string, explicit?: string): LocatedRepo {
  if (explicit) {
    const dir = resolve(cwd, explicit);
    const state = existsSync(dir) ? readRepoState(dir) : undefined;
    if (!state || state.repo !== kind) {
      throw new UsageError(`--${kind}: ${dir} is not a ${kind} repo made by ${PACKAGE_NAME} (no .yo-rc.json for it)`);
    }
    return { dir, state };
  }
  const here = readRepoState(cwd);
  const folder = here ? dirname(cwd) : cwd;
  const found = reposIn(folder, kind);
  if (found.length === 1) return found[0];
  if (found.length === 0) {
    throw new UsageError(
      `No ${kind} repo made by ${PACKAGE_NAME} in ${folder}. Run this in the workspace that \`new\` made, ` +
        `or pass --${kind} <path>.`,
    );
  }
  throw new UsageError(
    `Several ${kind} repos in ${folder} (${found.map((r) => r.dir).join(', ')}); pass --${kind} <path>.`,
  );
}
