/**
 * State kept in every generated repo: `.yo-rc.json` (answers, generator version, which repo this is)
 * and `.gitops-platform/manifest.json` (each generated path with the hash of its pristine content and
 * its policy). Later commands read both; upgrade uses the manifest to tell hand edits from template
 * changes. Both are plain, stably ordered JSON so they diff well and stay byte-identical.
 */
import { createHash } from 'node:crypto';
import type { PlatformAnswers, RepoKind, ServiceAnswers } from './model.ts';
import { type AnswerKey, answerKeys, answerSpec } from './options.ts';
import type { Policy, RenderedFile, RenderedRepo } from './render.ts';

export const PACKAGE_NAME = 'generator-gitops-platform';
export const YO_RC = '.yo-rc.json';
export const MANIFEST = '.gitops-platform/manifest.json';

export interface RepoState {
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

export function sha256(content: string): string {
  return createHash('sha256').update(content).digest('hex');
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Platform answers in table order, without unset optional ones, so the file is stable. */
function orderedAnswers(answers: PlatformAnswers): PlatformAnswers {
  const out: Record<string, unknown> = {};
  for (const key of answerKeys) {
    if (answerSpec(key).scope !== 'platform') continue;
    const value = answers[key as Exclude<AnswerKey, 'service' | 'port'>];
    if (value === undefined || value === '') continue;
    if (key === 'accounts' && Object.keys(value as object).length === 0) continue;
    out[key] = value;
  }
  return out as PlatformAnswers;
}

export function manifestOf(files: RenderedFile[], version: string): Manifest {
  const entries: Manifest['files'] = {};
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    entries[file.path] = { sha256: sha256(file.content), policy: file.policy };
  }
  return { generator: PACKAGE_NAME, version, files: entries };
}

function mergedManifest(next: Manifest, previous?: Manifest): Manifest {
  if (!previous) return next;
  const files = { ...previous.files, ...next.files };
  const sorted: Manifest['files'] = {};
  for (const path of Object.keys(files).sort()) sorted[path] = files[path];
  return { ...next, files: sorted };
}

/**
 * The two state files of a rendered repo. With `previous`, the manifest keeps its entries and takes
 * the rendered files on top (for a partial render whose other files did not change).
 */
export function stateFiles(
  rendered: RenderedRepo,
  answers: PlatformAnswers,
  services: ServiceAnswers[],
  version: string,
  previous?: Manifest,
): RenderedFile[] {
  const own = rendered.service ? services.filter((s) => s.name === rendered.service) : services;
  const state: RepoState = {
    version,
    repo: rendered.repo.kind,
    answers: orderedAnswers(answers),
    services: [...own].sort((a, b) => a.name.localeCompare(b.name, 'en')).map(({ name, port }) => ({ name, port })),
  };
  return [
    { path: YO_RC, content: json({ [PACKAGE_NAME]: state }), policy: 'merge' },
    { path: MANIFEST, content: json(mergedManifest(manifestOf(rendered.files, version), previous)), policy: 'merge' },
  ];
}
