/**
 * State kept in every generated repo: `.yo-rc.json` (state format, answers, generator version,
 * which repo this is) and `.gitops-platform/manifest.json` (each generated path with the hash of its
 * pristine content and its policy). Later commands read both; upgrade uses the manifest to tell
 * hand edits from template changes. Both are plain, stably ordered JSON so they diff well and stay
 * byte-identical; the manifest is an object until stateFiles writes it out.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import semver from 'semver';
import { type PlatformAnswers, platformKeys, type ServiceAnswers } from '../answers/table.ts';
import { checkServices, completePlatform } from '../answers/validate.ts';
import { UsageError } from '../errors.ts';
import type { RepoKind } from '../model.ts';
import type { Policy, RenderedFile, RenderedRepo } from '../render/render.ts';
import { type FileReader, workTree } from './files.ts';
import { migrateState, STATE_FORMAT } from './migrations.ts';

export const PACKAGE_NAME = 'generator-gitops-platform';
export const YO_RC = '.yo-rc.json';
export const MANIFEST = '.gitops-platform/manifest.json';

export interface RepoState {
  format: number;
  version: string;
  repo: RepoKind;
  answers: PlatformAnswers;
  /** Every service of the platform (infra, GitOps) or the repo's own service (app). */
  services: ServiceAnswers[];
}

export interface Manifest {
  generator: string;
  version: string;
  files: Record<string, { sha256: string; policy: Policy }>;
}

/** Which repo state belongs to: its kind and, for an app repo, its service. */
interface StateOwner {
  kind: RepoKind;
  service?: string;
}

export function sha256(content: string): string {
  return createHash('sha256').update(content).digest('hex');
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Platform answers in table order, without unset optional ones, so the file is stable. */
function orderedAnswers(answers: PlatformAnswers): PlatformAnswers {
  const out: Record<string, unknown> = {};
  for (const key of platformKeys) {
    const value = answers[key];
    // Unset, empty or an empty list: absent, so state written before an optional answer existed
    // and state that leaves it empty are the same bytes.
    if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) continue;
    if (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0) continue;
    out[key] = value;
  }
  return out as PlatformAnswers;
}

/** The manifest of rendered files; with `previous`, its entries are kept under the new ones. */
export function manifestOf(files: RenderedFile[], version: string, previous?: Manifest): Manifest {
  const entries: Manifest['files'] = { ...previous?.files };
  for (const file of files) entries[file.path] = { sha256: sha256(file.content), policy: file.policy };
  const sorted: Manifest['files'] = {};
  for (const path of Object.keys(entries).sort()) sorted[path] = entries[path];
  return { generator: PACKAGE_NAME, version, files: sorted };
}

/** The two state files of a repo: `.yo-rc.json` and the manifest. */
export function stateFiles(
  owner: StateOwner,
  answers: PlatformAnswers,
  services: ServiceAnswers[],
  manifest: Manifest,
): RenderedFile[] {
  const own = owner.service ? services.filter((s) => s.name === owner.service) : services;
  const state: RepoState = {
    format: STATE_FORMAT,
    version: manifest.version,
    repo: owner.kind,
    answers: orderedAnswers(answers),
    services: [...own]
      .sort((a, b) => a.name.localeCompare(b.name, 'en'))
      .map(({ name, port, retired, purgeImages }) => ({ name, port, retired, purgeImages })),
  };
  return [
    { path: YO_RC, content: json({ [PACKAGE_NAME]: state }), policy: 'merge' },
    { path: MANIFEST, content: json(manifest), policy: 'merge' },
  ];
}

/** The state files of a freshly rendered repo: its manifest lists exactly the rendered files. */
export function freshStateFiles(
  rendered: Pick<RenderedRepo, 'service' | 'files'> & { repo: { kind: RepoKind } },
  answers: PlatformAnswers,
  services: ServiceAnswers[],
  version: string,
): RenderedFile[] {
  const owner = { kind: rendered.repo.kind, service: rendered.service };
  return stateFiles(owner, answers, services, manifestOf(rendered.files, version));
}

/** A JSON file of a repo, or undefined when it is absent; unreadable JSON is one line naming the file. */
function readJson(read: FileReader, path: string, shown: string): unknown {
  const text = read(path);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${shown} is not valid JSON (${(error as Error).message}); restore it from git.`);
  }
}

/**
 * The state of a repo made by this package, in today's format; undefined for any other folder.
 * `read` gives the repo's files (default: its work tree).
 */
export function readRepoState(dir: string, read: FileReader = workTree(dir)): RepoState | undefined {
  const file = join(dir, YO_RC);
  const stored = (readJson(read, YO_RC, file) as Record<string, unknown> | undefined)?.[PACKAGE_NAME];
  if (!stored || typeof stored !== 'object') return undefined;
  const state = migrateState(stored as Record<string, unknown>, file) as unknown as RepoState;
  if (!state.repo || !state.answers) return undefined;
  if (typeof state.version !== 'string' || semver.valid(state.version) === null) {
    throw new UsageError(
      `${file}: "version" must be the generator version that wrote it, not ${JSON.stringify(state.version)}`,
    );
  }
  return state;
}

export function readManifest(dir: string, read: FileReader = workTree(dir)): Manifest | undefined {
  const manifest = readJson(read, MANIFEST, join(dir, MANIFEST)) as Manifest | undefined;
  if (manifest !== undefined && (typeof manifest.files !== 'object' || manifest.files === null)) {
    throw new UsageError(`${join(dir, MANIFEST)} has no "files" map; restore it from git.`);
  }
  return manifest;
}

/**
 * Recorded answers, checked by today's rules (a hand-edited .yo-rc.json must not smuggle in a
 * value `new` would have refused). Every recorded service passes the service check of `new`.
 */
export function recordedAnswers(state: RepoState): { platform: PlatformAnswers; services: ServiceAnswers[] } {
  const platform = completePlatform(state.answers as Record<string, unknown>, false);
  return { platform, services: checkServices(state.services, platform) };
}
