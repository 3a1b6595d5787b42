/**
 * Reading the state of repos that `new` made: their `.yo-rc.json` and manifest, and finding the
 * infra and GitOps repos of a workspace. Later commands (service, upgrade) start here.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { completeAnswers } from './answers.ts';
import { UsageError } from './errors.ts';
import type { PlatformAnswers, RepoKind, ServiceAnswers } from './model.ts';
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
  const first = state.services[0];
  const answers = completeAnswers(
    { ...state.answers, service: first?.name ?? 'api', port: first?.port ?? 8080 },
    false,
  );
  const { service: _service, port: _port, ...platform } = answers;
  return { platform, services: state.services.map(({ name, port }) => ({ name, port })) };
}

function locateIn(folder: string, kind: RepoKind): LocatedRepo[] {
  const found: LocatedRepo[] = [];
  const candidates = [folder, ...readdirSync(folder).map((entry) => join(folder, entry))];
  for (const dir of candidates) {
    if (!statSync(dir).isDirectory()) continue;
    const state = readRepoState(dir);
    if (state?.repo === kind) found.push({ dir, state });
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
  const found = locateIn(folder, kind);
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
