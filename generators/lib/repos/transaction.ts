/**
 * The one way existing repos change (`service`, `upgrade`): each repo must be clean, may get a new
 * branch, then its planned operations (writes, removals, moves, conflicts recorded as unmerged
 * index stages), `git add` and, when asked and something is staged, one commit. If any step in
 * any repo fails, or the run is interrupted (SIGINT, SIGTERM: seen at the checkpoints between
 * steps), every repo already changed is put back (branch, HEAD, index, work tree, and the files and
 * folders the change created), and the error is rethrown.
 */
import { existsSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { failureText, UsageError } from '../errors.ts';
import { checkpoint, pointOfNoReturn } from '../process/interrupt.ts';
import { createdBy, isExecutable, writeFile } from './files.ts';
import { git } from './git.ts';

/** The three sides of a conflict, recorded as index stages 1-3 so `git status` lists it as unmerged. */
export interface ConflictStages {
  base: string;
  ours: string;
  theirs: string;
}

/** One planned operation on one path (content is final: merges already happened). */
export type FileOp =
  | { path: string; content: string; movedFrom?: string; stages?: ConflictStages }
  | { path: string; remove: true };

export interface RepoChange {
  /** Name shown to users (e.g. acme-gitops). */
  name: string;
  dir: string;
  ops: FileOp[];
  message: string;
  /** Where the new branch starts (ChangeOptions.branch); default: what is checked out. */
  startPoint?: string;
}

export interface ChangeOptions {
  /** New branch to create and commit on; undefined commits on the current branch. */
  branch?: string;
  commit: boolean;
}

/** What puts one repo back: its HEAD, the branch it was on, and what the change created. */
interface RepoSnapshot {
  name: string;
  dir: string;
  head: string;
  branch: string;
  /** A branch the change created, deleted on restore. */
  createdBranch?: string;
  /** Files or topmost new folders the change created, which git may not know (yet). */
  created: string[];
}

/** The folders of a removed file that it leaves empty (git keeps no empty folder either); restore brings them back. */
function removeEmptyFolders(dir: string, folder: string): void {
  for (let f = folder; f !== '.' && f !== ''; f = dirname(f)) {
    const path = join(dir, f);
    if (!existsSync(path) || readdirSync(path).length > 0) return;
    rmdirSync(path);
  }
}

function snapshotRepo(name: string, dir: string): RepoSnapshot {
  return {
    name,
    dir,
    head: git(dir, ['rev-parse', 'HEAD']).trim(),
    branch: git(dir, ['symbolic-ref', '--short', 'HEAD']).trim(),
    created: [],
  };
}

function restore(s: RepoSnapshot): void {
  git(s.dir, ['checkout', '--quiet', '--force', s.branch]);
  git(s.dir, ['reset', '--quiet', '--hard', s.head]);
  if (s.createdBranch && git(s.dir, ['branch', '--list', s.createdBranch]).trim() !== '') {
    git(s.dir, ['branch', '--quiet', '-D', s.createdBranch]);
  }
  for (const path of s.created) {
    if (existsSync(join(s.dir, path))) rmSync(join(s.dir, path), { recursive: true, force: true });
  }
}

/** Puts back every repo, newest change first, even if one resists; then rethrows, naming any that did. */
function restoreAll(snapshots: RepoSnapshot[], error: unknown): never {
  const failures: string[] = [];
  for (const snapshot of [...snapshots].reverse()) {
    try {
      restore(snapshot);
    } catch (undoError) {
      failures.push(`${snapshot.name}: ${(undoError as Error).message}`);
    }
  }
  if (failures.length > 0) {
    throw new AggregateError([error], `${failureText(error)}\nand restoring failed for:\n  ${failures.join('\n  ')}`);
  }
  throw error;
}

function isClean(dir: string): boolean {
  return git(dir, ['status', '--porcelain', '--untracked-files=all']).trim() === '';
}

/**
 * Every refusal that can be known before writing: not a repo, dirty trees, detached HEADs, existing
 * branches. Callers run it before they plan: a plan made from a dirty tree would take the
 * uncommitted edits for the team's work.
 */
export function checkRepos(repos: { name: string; dir: string }[], options: ChangeOptions): void {
  const problems: string[] = [];
  for (const { name, dir } of repos) {
    if (!existsSync(join(dir, '.git'))) {
      problems.push(`${name}: ${dir} is not a git repository`);
      continue;
    }
    if (!isClean(dir)) problems.push(`${name} has uncommitted changes; commit or stash them first`);
    if (git(dir, ['rev-parse', '--abbrev-ref', 'HEAD']).trim() === 'HEAD')
      problems.push(`${name} is on a detached HEAD`);
    if (options.branch && git(dir, ['branch', '--list', options.branch]).trim() !== '') {
      problems.push(`${name} already has a branch ${options.branch}`);
    }
  }
  if (problems.length > 0)
    throw new UsageError(`Refusing to change the repos, nothing was written:\n  - ${problems.join('\n  - ')}`);
}

function recordConflict(dir: string, path: string, stages: ConflictStages): void {
  const blob = (content: string) => git(dir, ['hash-object', '-w', '--stdin'], content).trim();
  const mode = isExecutable(path) ? '100755' : '100644';
  const info = [
    `0 ${'0'.repeat(40)}\t${path}`,
    `${mode} ${blob(stages.base)} 1\t${path}`,
    `${mode} ${blob(stages.ours)} 2\t${path}`,
    `${mode} ${blob(stages.theirs)} 3\t${path}`,
  ].join('\n');
  git(dir, ['update-index', '--index-info'], `${info}\n`);
}

async function applyOne(change: RepoChange, snapshot: RepoSnapshot, options: ChangeOptions): Promise<void> {
  const { dir } = change;
  if (options.branch) {
    git(dir, ['checkout', '--quiet', '-b', options.branch, ...(change.startPoint ? [change.startPoint] : [])]);
    snapshot.createdBranch = options.branch;
    await checkpoint(`${change.name}: branch made`);
  }
  const staged: string[] = [];
  const conflicts: { path: string; stages: ConflictStages }[] = [];
  const removed: string[] = [];
  for (const op of change.ops) {
    if ('remove' in op) {
      rmSync(join(dir, op.path), { force: true });
      removed.push(op.path);
      staged.push(op.path);
      continue;
    }
    if (op.movedFrom) {
      rmSync(join(dir, op.movedFrom), { force: true });
      staged.push(op.movedFrom);
    }
    const created = createdBy(dir, op.path);
    if (created) snapshot.created.push(created);
    writeFile(dir, op.path, op.content);
    if (op.stages) conflicts.push({ path: op.path, stages: op.stages });
    else staged.push(op.path);
  }
  // After every write: a folder emptied here and written to again was not created by the change.
  for (const path of removed) removeEmptyFolders(dir, dirname(path));
  await checkpoint(`${change.name}: files written`);
  // Stage what merged cleanly (removals as removals), so the conflicts stand out.
  const paths = [...new Set(staged)].filter((p) => existsSync(join(dir, p)) || isTracked(dir, p));
  if (paths.length > 0) git(dir, ['add', '--all', '--', ...paths]);
  for (const conflict of conflicts) recordConflict(dir, conflict.path, conflict.stages);
  await checkpoint(`${change.name}: staged`);
  // Commit only when something is staged (a re-render can leave every file as it was).
  if (options.commit && git(dir, ['diff', '--cached', '--name-only']).trim() !== '') {
    git(dir, ['commit', '--quiet', '-m', change.message]);
    await checkpoint(`${change.name}: committed`);
  }
}

function isTracked(dir: string, path: string): boolean {
  return git(dir, ['ls-files', '--', path]).trim() !== '';
}

/** A step outside the repos that belongs to the same change (moving a new repo into place). */
interface ExtraStep {
  apply(): void;
  undo(): void;
}

/**
 * Applies the changes in order, then `after` (e.g. moving a new repo into place); a failure or an
 * interrupt at any point undoes all of it. When it returns, the change is complete: a signal no
 * longer undoes it. Callers run checkRepos first, before they plan.
 */
export async function applyChanges(changes: RepoChange[], options: ChangeOptions, after?: ExtraStep): Promise<void> {
  const done: RepoSnapshot[] = [];
  let afterApplied = false;
  try {
    for (const change of changes) {
      const snapshot = snapshotRepo(change.name, change.dir);
      done.push(snapshot);
      await applyOne(change, snapshot, options);
    }
    after?.apply();
    afterApplied = true;
    await checkpoint('change complete');
    pointOfNoReturn();
  } catch (error) {
    if (afterApplied) after?.undo();
    restoreAll(done, error);
  }
}
