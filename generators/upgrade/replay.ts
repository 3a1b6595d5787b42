/**
 * What an older version of this generator rendered: the "base" of upgrade's three-way merge.
 * The current version renders in-process. Any other version is installed on demand into a cache
 * (`npm install generator-gitops-platform@<version>`) and run in its own process with the hidden
 * `replay` command, which reads render requests as JSON on stdin and writes the files as JSON.
 * One process per version answers every repo of a workspace.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { PlatformAnswers, ServiceAnswers } from '../lib/answers/table.ts';
import { buildModel, type RepoKind } from '../lib/model.ts';
import { type RenderedFile, renderRepo } from '../lib/render/render.ts';
import { PACKAGE_NAME } from '../lib/repos/state.ts';
import { generatorId } from '../lib/version.ts';

/**
 * Set by upgrade for the version it runs with `replay`; the bin answers `replay` only when it is
 * set, so the internal command cannot be reached by accident.
 */
export const REPLAY_VARIABLE = 'GITOPS_PLATFORM_REPLAY';

export interface ReplayRequest {
  kind: RepoKind;
  /** The app repo's service. */
  service?: string;
  answers: PlatformAnswers;
  services: ServiceAnswers[];
}

/** Why a version's renders cannot be had. */
export interface Unavailable {
  unavailable: string;
}

/** What `replay` answers on stdout (the protocol between versions: never change its shape). */
export interface ReplayResponse {
  version: string;
  results: { files: RenderedFile[] }[];
}

/** Renders requests with this version (what `replay` answers, and the base when versions match). */
export function replayHere(requests: ReplayRequest[]): ReplayResponse {
  return {
    version: generatorId.version,
    results: requests.map((r) => {
      const model = buildModel(r.answers, r.services, generatorId);
      return { files: renderRepo(model, r.kind, r.service).files };
    }),
  };
}

function versionsCache(): string {
  return process.env.GITOPS_PLATFORM_VERSIONS ?? join(homedir(), '.cache', 'gitops-platform', 'versions');
}

function binOf(version: string): string {
  return join(versionsCache(), version, 'node_modules', PACKAGE_NAME, 'bin', 'gitops-platform.js');
}

/** Installs a released version into the cache, unless GITOPS_PLATFORM_OFFLINE=1. */
function install(version: string): string | undefined {
  if (process.env.GITOPS_PLATFORM_OFFLINE === '1') return 'GITOPS_PLATFORM_OFFLINE=1';
  const dir = join(versionsCache(), version);
  mkdirSync(dir, { recursive: true });
  const result = spawnSync(
    'npm',
    [
      'install',
      '--prefix',
      dir,
      '--no-audit',
      '--no-fund',
      '--no-save',
      '--loglevel=error',
      `${PACKAGE_NAME}@${version}`,
    ],
    { encoding: 'utf8', timeout: 300_000 },
  );
  if (result.status !== 0)
    return `npm install ${PACKAGE_NAME}@${version} failed: ${(result.stderr || String(result.error)).trim()}`;
  return existsSync(binOf(version)) ? undefined : `${PACKAGE_NAME}@${version} has no bin/gitops-platform.js`;
}

/** The base renders, or why they cannot be had (then upgrade works from the manifest alone). */
export function replay(version: string, requests: ReplayRequest[]): ReplayResponse | Unavailable {
  if (version === generatorId.version) return replayHere(requests);
  if (!existsSync(binOf(version))) {
    const failure = install(version);
    if (failure) return { unavailable: failure };
  }
  const result = spawnSync(process.execPath, [binOf(version), 'replay'], {
    env: { ...process.env, [REPLAY_VARIABLE]: '1' },
    input: JSON.stringify({ requests }),
    encoding: 'utf8',
    maxBuffer: 1024 * 1024 * 1024,
  });
  if (result.status !== 0) {
    return {
      unavailable: `${PACKAGE_NAME}@${version} could not replay: ${(result.stderr || String(result.error)).trim()}`,
    };
  }
  try {
    const response = JSON.parse(result.stdout) as ReplayResponse;
    if (response.version !== version || response.results.length !== requests.length) throw new Error('bad response');
    return response;
  } catch (error) {
    return {
      unavailable: `${PACKAGE_NAME}@${version} answered replay with something else: ${(error as Error).message}`,
    };
  }
}
