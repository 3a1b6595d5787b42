/**
 * Upgrade: bring the current templates (and changed answers) into repos the team has edited.
 * Three-way per file: base = what the recorded version rendered with the recorded answers (checked
 * against the manifest), theirs = what this version renders now, ours = the file on disk.
 * Planning writes nothing; applying writes every repo or, on any failure, none.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { UsageError } from './errors.ts';
import { git } from './git.ts';
import { mergeFile } from './merge.ts';
import type { PlatformAnswers, ServiceAnswers } from './model.ts';
import type { RenderedFile } from './render.ts';
import type { ReplayRequest, ReplayResponse } from './replay.ts';
import type { LocatedRepo } from './repo-state.ts';
import { readManifest } from './repo-state.ts';
import { checkRepos, createdBy, type RepoSnapshot, restoreAll, snapshotRepo } from './repo-transaction.ts';
import { MANIFEST, type Manifest, PACKAGE_NAME, sha256, stateFiles } from './state.ts';
import { writeFile } from './workspace.ts';

export type Action =
  | 'updated' // the team had not touched it: it takes the new template
  | 'merged' // both changed it; merged cleanly
  | 'conflict' // both changed the same lines: markers (or, without a base, left as it is)
  | 'added' // a new template file
  | 'removed' // the templates dropped it and the team had not touched it
  | 'kept deleted' // the team deleted it; it stays deleted
  | 'kept'; // the templates dropped or own it, but the team changed it: left as it is

export interface FileChange {
  path: string;
  action: Action;
  /** New content (undefined: delete the file; for 'kept' and 'kept deleted' nothing is written). */
  content?: string;
  /** For conflicts with markers: the three sides, recorded as unmerged index stages. */
  stages?: { base: string; ours: string; theirs: string };
  /** A renamed template: the team's file at this old path moves to `path`. */
  movedFrom?: string;
}

export interface RepoUpgrade {
  repo: LocatedRepo;
  mode: 'three-way' | 'manifest-only';
  /** Why the base could not be had (manifest-only mode). */
  reason?: string;
  fromVersion: string;
  toVersion: string;
  changes: FileChange[];
  /** The state files to write after a successful apply. */
  state: RenderedFile[];
}

export type Replay = (version: string, requests: ReplayRequest[]) => ReplayResponse | { unavailable: string };

export function requestOf(repo: LocatedRepo, answers: PlatformAnswers, services: ServiceAnswers[]): ReplayRequest {
  return {
    kind: repo.state.repo,
    service: repo.state.repo === 'app' ? services[0]?.name : undefined,
    answers,
    services,
  };
}

function read(dir: string, path: string): string | undefined {
  const file = join(dir, path);
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

/** Base renders that differ from what the manifest recorded are not trusted. */
function baseMatchesManifest(base: RenderedFile[], manifest: Manifest | undefined): string | undefined {
  if (!manifest) return 'the repo has no manifest';
  const recorded = Object.keys(manifest.files);
  if (recorded.length !== base.length)
    return 'the recorded version renders a different set of files than the manifest lists';
  for (const file of base) {
    if (manifest.files[file.path]?.sha256 !== sha256(file.content)) {
      return `the recorded version renders ${file.path} differently than the manifest recorded`;
    }
  }
  return undefined;
}

function threeWay(dir: string, base: RenderedFile[], theirs: RenderedFile[]): FileChange[] {
  const before = new Map(base.map((f) => [f.path, f]));
  const now = new Map(theirs.map((f) => [f.path, f]));
  const changes: FileChange[] = [];
  const moved = new Set<string>();
  for (const file of theirs) {
    let old = before.get(file.path);
    let oursPath = file.path;
    if (!old && file.renamedFrom && before.has(file.renamedFrom) && !now.has(file.renamedFrom)) {
      old = before.get(file.renamedFrom);
      oursPath = file.renamedFrom;
      moved.add(file.renamedFrom);
    }
    const ours = read(dir, oursPath);
    const movedFrom = oursPath === file.path ? undefined : oursPath;
    if (!old) {
      if (ours === undefined) changes.push({ path: file.path, action: 'added', content: file.content });
      else if (ours !== file.content) {
        // The team made a file where the templates now put one: merge from nothing.
        const merged = mergeFile(file.path, '', ours, file.content);
        changes.push(conflictOr(file.path, merged, '', ours, file.content));
      }
      continue;
    }
    if (ours === undefined) {
      changes.push({ path: file.path, action: 'kept deleted' });
      continue;
    }
    if (file.policy === 'once') {
      if (movedFrom) changes.push({ path: file.path, action: 'updated', content: ours, movedFrom });
      continue;
    }
    const merged = mergeFile(file.path, old.content, ours, file.content);
    if (merged.conflicts > 0) {
      changes.push({ ...conflictOr(file.path, merged, old.content, ours, file.content), movedFrom });
    } else if (merged.content !== ours || movedFrom) {
      changes.push({
        path: file.path,
        action: merged.how === 'theirs' || merged.how === 'unchanged' ? 'updated' : 'merged',
        content: merged.content,
        movedFrom,
      });
    }
  }
  for (const file of base) {
    if (now.has(file.path) || moved.has(file.path)) continue;
    const ours = read(dir, file.path);
    if (ours === undefined) continue;
    changes.push(ours === file.content ? { path: file.path, action: 'removed' } : { path: file.path, action: 'kept' });
  }
  return changes;
}

function conflictOr(
  path: string,
  merged: { content: string; conflicts: number; how: string },
  base: string,
  ours: string,
  theirs: string,
): FileChange {
  if (merged.conflicts === 0)
    return { path, action: merged.how === 'theirs' ? 'updated' : 'merged', content: merged.content };
  return { path, action: 'conflict', content: merged.content, stages: { base, ours, theirs } };
}

/** Without a base: only files still exactly as generated are updated; others are reported. */
function manifestOnly(dir: string, manifest: Manifest | undefined, theirs: RenderedFile[]): FileChange[] {
  const recorded = manifest?.files ?? {};
  const changes: FileChange[] = [];
  const now = new Set(theirs.map((f) => f.path));
  for (const file of theirs) {
    const ours = read(dir, file.path);
    const entry = recorded[file.path];
    if (ours === undefined) {
      changes.push(
        entry
          ? { path: file.path, action: 'kept deleted' }
          : { path: file.path, action: 'added', content: file.content },
      );
    } else if (ours === file.content || file.policy === 'once') {
      // already current, or the team's own file
    } else if (entry && sha256(ours) === entry.sha256) {
      changes.push({ path: file.path, action: 'updated', content: file.content });
    } else changes.push({ path: file.path, action: 'conflict' });
  }
  for (const [path, entry] of Object.entries(recorded)) {
    if (now.has(path)) continue;
    const ours = read(dir, path);
    if (ours === undefined) continue;
    changes.push(sha256(ours) === entry.sha256 ? { path, action: 'removed' } : { path, action: 'kept' });
  }
  return changes;
}

/** Numeric comparison of x.y.z versions (a pre-release sorts before its release). */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const [core, pre] = v.split('-', 2);
    return { parts: core.split('.').map((n) => Number.parseInt(n, 10) || 0), pre };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) {
    const d = (x.parts[i] ?? 0) - (y.parts[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  return x.pre < y.pre ? -1 : 1;
}

export interface UpgradeInput {
  repo: LocatedRepo;
  /** Recorded answers and services (base) and the answers to upgrade to (theirs). */
  recorded: { answers: PlatformAnswers; services: ServiceAnswers[] };
  target: PlatformAnswers;
}

export function planUpgrades(
  inputs: UpgradeInput[],
  replay: Replay,
  current: (requests: ReplayRequest[]) => ReplayResponse,
): RepoUpgrade[] {
  const now = current(inputs.map((i) => requestOf(i.repo, i.target, i.recorded.services)));
  const newer = inputs.filter((i) => compareVersions(i.repo.state.version, now.version) > 0);
  if (newer.length > 0) {
    throw new UsageError(
      `${newer.map((i) => `${i.repo.dir} was written by ${PACKAGE_NAME} ${i.repo.state.version}`).join('; ')}: ` +
        `this is ${now.version}, older. Upgrade the generator instead (npm install -g ${PACKAGE_NAME}@latest); nothing was written.`,
    );
  }
  // One replay per recorded version, covering every repo recorded with it.
  const byVersion = new Map<string, UpgradeInput[]>();
  for (const input of inputs) {
    const list = byVersion.get(input.repo.state.version) ?? [];
    list.push(input);
    byVersion.set(input.repo.state.version, list);
  }
  const bases = new Map<UpgradeInput, RenderedFile[] | string>();
  for (const [version, list] of byVersion) {
    const response = replay(
      version,
      list.map((i) => requestOf(i.repo, i.recorded.answers, i.recorded.services)),
    );
    list.forEach((input, n) => {
      bases.set(input, 'unavailable' in response ? response.unavailable : response.results[n].files);
    });
  }
  return inputs.map((input, n) => {
    const { dir } = input.repo;
    const theirs = now.results[n].files;
    const manifest = readManifest(dir);
    let base = bases.get(input) as RenderedFile[] | string;
    if (typeof base !== 'string') base = baseMatchesManifest(base, manifest) ?? base;
    const mode = typeof base === 'string' ? 'manifest-only' : 'three-way';
    const changes = typeof base === 'string' ? manifestOnly(dir, manifest, theirs) : threeWay(dir, base, theirs);
    const request = requestOf(input.repo, input.target, input.recorded.services);
    // stateFiles reads only the kind, the app's service and the files of the rendered repo.
    const rendered = {
      repo: { kind: request.kind, name: '', fullName: '', url: '' },
      service: request.service,
      files: theirs,
    };
    // Files that differ from both sides with no base to merge them are left as they are; until the
    // team has brought them in line, their manifest entries and the recorded version stay as they
    // were, so the next upgrade reports them again instead of calling the repo up to date.
    const unresolved = changes.filter((c) => c.action === 'conflict' && !c.stages).map((c) => c.path);
    const version = unresolved.length > 0 ? input.repo.state.version : now.version;
    const state = stateFiles(rendered, input.target, input.recorded.services, version).map((file) =>
      file.path === MANIFEST && manifest && unresolved.length > 0 ? keepEntries(file, manifest, unresolved) : file,
    );
    return {
      repo: input.repo,
      mode,
      reason: typeof base === 'string' ? base : undefined,
      fromVersion: input.repo.state.version,
      toVersion: now.version,
      changes: changes.sort((a, b) => (a.path < b.path ? -1 : 1)),
      state,
    };
  });
}

function keepEntries(file: RenderedFile, previous: Manifest, paths: string[]): RenderedFile {
  const next = JSON.parse(file.content) as Manifest;
  for (const path of paths) {
    if (previous.files[path]) next.files[path] = previous.files[path];
  }
  next.version = previous.version;
  return { ...file, content: `${JSON.stringify(next, null, 2)}\n` };
}

export function hasWork(plan: RepoUpgrade): boolean {
  if (plan.changes.some((c) => c.action !== 'kept' && c.action !== 'kept deleted')) return true;
  return plan.state.some((f) => read(plan.repo.dir, f.path) !== f.content);
}

/** Unmerged index entries (stages 1-3), so `git status` lists the file as a conflict. */
function recordConflict(dir: string, path: string, stages: { base: string; ours: string; theirs: string }): void {
  const blob = (content: string) => git(dir, ['hash-object', '-w', '--stdin'], content).trim();
  const mode = path.endsWith('.sh') ? '100755' : '100644';
  const info = [
    `0 ${'0'.repeat(40)}\t${path}`,
    `${mode} ${blob(stages.base)} 1\t${path}`,
    `${mode} ${blob(stages.ours)} 2\t${path}`,
    `${mode} ${blob(stages.theirs)} 3\t${path}`,
  ].join('\n');
  git(dir, ['update-index', '--index-info'], `${info}\n`);
}

/** The same refusals as `service`: not a git repo, uncommitted changes, a detached HEAD. */
export function checkClean(plans: RepoUpgrade[]): void {
  checkRepos(
    plans.map((p) => ({ name: basename(p.repo.dir), dir: p.repo.dir })),
    { commit: false },
  );
}

/**
 * Writes every plan. Conflicts keep their markers and unmerged index entries; with `commit` (which
 * the caller allows only without conflicts) each repo gets one commit. Any failure puts every repo
 * back to its HEAD, index and work tree as they were.
 */
export function applyUpgrades(plans: RepoUpgrade[], options: { commit: boolean }): void {
  checkClean(plans);
  const touched: RepoSnapshot[] = [];
  try {
    for (const plan of plans) {
      if (!hasWork(plan)) continue;
      const { dir } = plan.repo;
      const record = snapshotRepo(basename(dir), dir, false);
      touched.push(record);
      const write = (path: string, content: string) => {
        const created = createdBy(dir, path);
        if (created) record.created.push(created);
        writeFile(dir, path, content);
      };
      for (const change of plan.changes) {
        if (change.movedFrom) rmSync(join(dir, change.movedFrom), { force: true });
        if (change.action === 'removed') rmSync(join(dir, change.path), { force: true });
        else if (change.content !== undefined) write(change.path, change.content);
      }
      for (const file of plan.state) write(file.path, file.content);
      const conflicts = plan.changes.filter((c) => c.action === 'conflict' && c.stages);
      const settled = plan.changes.filter((c) => !conflicts.includes(c));
      const paths = [
        ...settled.flatMap((c) => (c.movedFrom ? [c.path, c.movedFrom] : [c.path])),
        ...plan.state.map((f) => f.path),
      ];
      // Stage what merged cleanly so the conflicts stand out; removed files are staged as removals.
      git(dir, ['add', '--all', '--', ...new Set(paths.filter((p) => existsSync(join(dir, p)) || wasTracked(dir, p)))]);
      for (const change of conflicts)
        recordConflict(dir, change.path, change.stages as NonNullable<FileChange['stages']>);
      if (options.commit) {
        git(dir, ['commit', '--quiet', '-m', `chore: upgrade to ${PACKAGE_NAME} ${plan.toVersion}`]);
      }
    }
  } catch (error) {
    restoreAll(touched, error);
  }
}

function wasTracked(dir: string, path: string): boolean {
  return git(dir, ['ls-files', '--', path]).trim() !== '';
}
