/**
 * Upgrade: bring the current templates (and changed answers) into repos the team has edited.
 * Three-way per file: base = what the recorded version rendered with the recorded answers (checked
 * against the manifest), theirs = what this version renders now, ours = the file on disk.
 * Planning writes nothing; applying writes every repo or, on any failure, none.
 */
import { basename } from 'node:path';
import semver from 'semver';
import { checkAnswerChange, type Destruction, differingAnswers } from '../lib/answer-changes.ts';
import type { Flags, PlatformAnswers, ServiceAnswers } from '../lib/answers/table.ts';
import { checkGiven, checkServices, completePlatform, type RawAnswers } from '../lib/answers/validate.ts';
import { UsageError } from '../lib/errors.ts';
import { mergeFile } from '../lib/merge.ts';
import type { RenderedFile } from '../lib/render/render.ts';
import type { FileReader } from '../lib/repos/files.ts';
import { type LocatedRepo, reposAround } from '../lib/repos/locate.ts';
import {
  type Manifest,
  manifestOf,
  PACKAGE_NAME,
  readManifest,
  recordedAnswers,
  sha256,
  stateFiles,
} from '../lib/repos/state.ts';
import {
  applyChanges,
  type ConflictStages,
  checkRepos,
  type FileOp,
  type RepoChange,
} from '../lib/repos/transaction.ts';
import { type ReplayRequest, type ReplayResponse, replay, replayHere, type Unavailable } from './replay.ts';

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
  stages?: ConflictStages;
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

/** What a version renders for each request, or why it cannot (then upgrade works from the manifest). */
export type Replay = (version: string, requests: ReplayRequest[]) => ReplayResponse | Unavailable;

/** The base of one repo's three-way merge, or why there is none. */
type Base = { files: RenderedFile[] } | Unavailable;

function requestOf(repo: LocatedRepo, answers: PlatformAnswers, services: ServiceAnswers[]): ReplayRequest {
  return {
    kind: repo.state.repo,
    service: repo.state.repo === 'app' ? services[0]?.name : undefined,
    answers,
    services,
  };
}

/** A base render that differs from what the manifest recorded is not trusted. */
function trusted(base: RenderedFile[], manifest: Manifest | undefined): Base {
  if (!manifest) return { unavailable: 'the repo has no manifest' };
  if (Object.keys(manifest.files).length !== base.length) {
    return { unavailable: 'the recorded version renders a different set of files than the manifest lists' };
  }
  for (const file of base) {
    if (manifest.files[file.path]?.sha256 !== sha256(file.content)) {
      return { unavailable: `the recorded version renders ${file.path} differently than the manifest recorded` };
    }
  }
  return { files: base };
}

function threeWay(read: FileReader, base: RenderedFile[], theirs: RenderedFile[]): FileChange[] {
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
    const ours = read(oursPath);
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
    const ours = read(file.path);
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
function manifestOnly(read: FileReader, manifest: Manifest | undefined, theirs: RenderedFile[]): FileChange[] {
  const recorded = manifest?.files ?? {};
  const changes: FileChange[] = [];
  const now = new Set(theirs.map((f) => f.path));
  for (const file of theirs) {
    const ours = read(file.path);
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
    const ours = read(path);
    if (ours === undefined) continue;
    changes.push(sha256(ours) === entry.sha256 ? { path, action: 'removed' } : { path, action: 'kept' });
  }
  return changes;
}

interface UpgradeInput {
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
  const newer = inputs.filter((i) => semver.gt(i.repo.state.version, now.version));
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
  const bases = new Map<UpgradeInput, Base>();
  for (const [version, list] of byVersion) {
    const result = replay(
      version,
      list.map((i) => requestOf(i.repo, i.recorded.answers, i.recorded.services)),
    );
    list.forEach((input, n) => {
      bases.set(input, 'unavailable' in result ? result : result.results[n]);
    });
  }
  return inputs.map((input, n) => {
    const { dir, read } = input.repo;
    const theirs = now.results[n].files;
    const manifest = readManifest(dir, read);
    const replayed = bases.get(input) as Base;
    const base = 'files' in replayed ? trusted(replayed.files, manifest) : replayed;
    const changes = 'files' in base ? threeWay(read, base.files, theirs) : manifestOnly(read, manifest, theirs);
    // Files that differ from both sides with no base to merge them are left as they are; until the
    // team has brought them in line, their manifest entries and the recorded version stay as they
    // were, so the next upgrade reports them again instead of calling the repo up to date.
    const unresolved = changes.filter((c) => c.action === 'conflict' && !c.stages).map((c) => c.path);
    const next = manifestOf(theirs, now.version);
    if (manifest && unresolved.length > 0) keepEntries(next, manifest, unresolved);
    const request = requestOf(input.repo, input.target, input.recorded.services);
    return {
      repo: input.repo,
      mode: 'files' in base ? 'three-way' : 'manifest-only',
      reason: 'unavailable' in base ? base.unavailable : undefined,
      fromVersion: input.repo.state.version,
      toVersion: now.version,
      changes: changes.sort((a, b) => (a.path < b.path ? -1 : 1)),
      state: stateFiles(request, input.target, input.recorded.services, next),
    };
  });
}

/** Keeps the previous manifest's entries (and version) for the given paths. */
function keepEntries(next: Manifest, previous: Manifest, paths: string[]): void {
  for (const path of paths) {
    if (previous.files[path]) next.files[path] = previous.files[path];
  }
  next.version = previous.version;
}

export function hasWork(plan: RepoUpgrade): boolean {
  if (plan.changes.some((c) => c.action !== 'kept' && c.action !== 'kept deleted')) return true;
  return plan.state.some((f) => plan.repo.read(f.path) !== f.content);
}

/** The same refusals as `service`: not a git repo, uncommitted changes, a detached HEAD. */
export function checkClean(plans: RepoUpgrade[]): void {
  checkRepos(
    plans.map((p) => ({ name: basename(p.repo.dir), dir: p.repo.dir })),
    { commit: false },
  );
}

/** A plan as the operations of the one repo applier. */
function changeOf(plan: RepoUpgrade): RepoChange {
  const ops: FileOp[] = [];
  for (const change of plan.changes) {
    if (change.action === 'removed') ops.push({ path: change.path, remove: true });
    else if (change.content !== undefined) {
      ops.push({ path: change.path, content: change.content, movedFrom: change.movedFrom, stages: change.stages });
    }
  }
  for (const file of plan.state) ops.push({ path: file.path, content: file.content });
  return {
    name: basename(plan.repo.dir),
    dir: plan.repo.dir,
    ops,
    message: `chore: upgrade to ${PACKAGE_NAME} ${plan.toVersion}`,
  };
}

/**
 * Writes every plan that has work. Conflicts keep their markers and unmerged index entries; with
 * `commit` (which the caller allows only without conflicts) each repo gets one commit. Any failure
 * puts every repo back to its HEAD, index and work tree as they were.
 */
export async function applyUpgrades(plans: RepoUpgrade[], options: { commit: boolean }): Promise<void> {
  checkClean(plans);
  await applyChanges(plans.filter(hasWork).map(changeOf), { commit: options.commit });
}

/**
 * The upgrade of every repo around `cwd`: the recorded answers with the command line's changes,
 * each checked by every rule again; repos that record different answers refused unless the command
 * line picks one value (a review lists them); destructive changes refused without consent (a review
 * shows them); each repo's files planned; dirty trees refused before a real run.
 */
export function planWorkspaceUpgrade(
  cwd: string,
  flags: Flags,
  given: RawAnswers,
): { plans: RepoUpgrade[]; differing: string[]; destructions: Destruction[] } {
  const review = Boolean(flags.dryRun || flags.check);
  const overrides = checkGiven(given);
  const staged = stagedVersion(flags, overrides);
  const inputs = reposAround(cwd).map((repo) => {
    const { platform, services } = recordedAnswers(repo.state);
    const target = completePlatform({ ...platform, ...overrides, ...staged?.(platform) }, false);
    checkServices(services, target);
    return { repo, recorded: { answers: platform, services }, target };
  });
  const differing = differingAnswers(inputs.map((i) => ({ name: basename(i.repo.dir), answers: i.target })));
  if (differing.length > 0 && !review) {
    throw new UsageError(
      [
        'The repos record different answers; pass the flag of each field to choose one value for all of them (nothing was written):',
        ...differing.map((line) => `  - ${line}`),
      ].join('\n'),
    );
  }
  const found = new Map<string, Destruction>();
  for (const input of inputs) {
    for (const d of checkAnswerChange(input.recorded.answers, input.target, Boolean(flags.allowDestroy) || review)) {
      found.set(d.what, d);
    }
  }
  const plans = planUpgrades(inputs, replay, replayHere);
  if (!review) checkClean(plans);
  return { plans, differing, destructions: [...found.values()] };
}

/** The upgrades a real run applies; with --commit, refused while any would leave a conflict. */
export function pendingUpgrades(plans: RepoUpgrade[], commit: boolean): RepoUpgrade[] {
  const pending = plans.filter(hasWork);
  const conflicts = plans.flatMap((p) => p.changes.filter((c) => c.action === 'conflict'));
  if (commit && pending.length > 0 && conflicts.length > 0) {
    throw new UsageError(
      `Refusing to commit: the upgrade leaves ${conflicts.length} conflict(s). Nothing was written. ` +
        'Run it without --commit, resolve the conflicts, then commit.',
    );
  }
  return pending;
}

/**
 * `--kubernetes-version <v> --environment <env>`: the one environment moves (an entry of
 * kubernetesVersions), kubernetesVersion and the others stay. Undefined without --environment.
 */
function stagedVersion(
  flags: Flags,
  overrides: Record<string, unknown>,
): ((recorded: PlatformAnswers) => Partial<PlatformAnswers>) | undefined {
  const env = flags.environment;
  if (env === undefined) return undefined;
  const version = overrides.kubernetesVersion as string | undefined;
  if (version === undefined) {
    throw new UsageError(
      '--environment names the environment that --kubernetes-version moves: give --kubernetes-version <version> too; nothing was written.',
    );
  }
  if (overrides.kubernetesVersions !== undefined) {
    throw new UsageError(
      '--environment and --kubernetes-versions both say which environments move: give one of them; nothing was written.',
    );
  }
  return (recorded) => {
    if (!recorded.environments.includes(env)) {
      throw new UsageError(
        `--environment: ${env} is not an environment (${recorded.environments.join(', ')}); nothing was written.`,
      );
    }
    return {
      kubernetesVersion: recorded.kubernetesVersion,
      kubernetesVersions: { ...recorded.kubernetesVersions, [env]: version },
    };
  };
}
