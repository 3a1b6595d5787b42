/**
 * Changes to existing git repos as one transaction: each repo must be clean, gets an optional new
 * branch, the planned file writes, `git add` and an optional commit. If any step in any repo fails,
 * every repo already changed is put back (branch, HEAD, index, work tree), and the error is rethrown.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from './errors.ts';
import { git } from './git.ts';
import { writeFile } from './workspace.ts';

export interface RepoChange {
  /** Name shown to users (e.g. acme-gitops). */
  name: string;
  dir: string;
  /** Files to write, relative to dir (content is final: merges already happened). */
  writes: { path: string; content: string }[];
  message: string;
}

export interface ChangeOptions {
  /** New branch to create and commit on; undefined commits on the current branch. */
  branch?: string;
  commit: boolean;
}

/** What puts one repo back: its HEAD, the branch it was on, and what a change created. */
export interface RepoSnapshot {
  name: string;
  dir: string;
  head: string;
  /** The branch to return to (undefined: stay on the current one). */
  branch?: string;
  /** A branch the change created, deleted on restore. */
  createdBranch?: string;
  /** What the change created that git may not know (yet): per write, the file or its topmost new folder. */
  created: string[];
}

export function snapshotRepo(name: string, dir: string, withBranch: boolean): RepoSnapshot {
  return {
    name,
    dir,
    head: git(dir, ['rev-parse', 'HEAD']).trim(),
    branch: withBranch ? git(dir, ['symbolic-ref', '--short', 'HEAD']).trim() : undefined,
    created: [],
  };
}

function restore(s: RepoSnapshot): void {
  if (s.branch) git(s.dir, ['checkout', '--quiet', '--force', s.branch]);
  git(s.dir, ['reset', '--quiet', '--hard', s.head]);
  if (s.createdBranch && git(s.dir, ['branch', '--list', s.createdBranch]).trim() !== '') {
    git(s.dir, ['branch', '--quiet', '-D', s.createdBranch]);
  }
  for (const path of s.created) {
    if (existsSync(join(s.dir, path))) rmSync(join(s.dir, path), { recursive: true, force: true });
  }
}

/**
 * What writing `path` in `dir` creates: the first missing part of the path (a folder, and all in it,
 * or the file itself); undefined when the file exists. A restore removes it, leaving no empty folder.
 */
export function createdBy(dir: string, path: string): string | undefined {
  const parts = path.split('/');
  for (let i = 1; i <= parts.length; i++) {
    const part = parts.slice(0, i).join('/');
    if (!existsSync(join(dir, part))) return part;
  }
  return undefined;
}

/** Puts back every repo, newest change first, even if one resists; then rethrows, naming any that did. */
export function restoreAll(snapshots: RepoSnapshot[], error: unknown): never {
  const failures: string[] = [];
  for (const snapshot of [...snapshots].reverse()) {
    try {
      restore(snapshot);
    } catch (undoError) {
      failures.push(`${snapshot.name}: ${(undoError as Error).message}`);
    }
  }
  if (failures.length > 0) {
    throw new AggregateError(
      [error],
      `${(error as Error).message}\nand restoring failed for:\n  ${failures.join('\n  ')}`,
    );
  }
  throw error;
}

export function isClean(dir: string): boolean {
  return git(dir, ['status', '--porcelain', '--untracked-files=all']).trim() === '';
}

/** Every refusal that can be known before writing: dirty trees, detached HEADs, existing branches. */
export function checkRepos(changes: Pick<RepoChange, 'name' | 'dir'>[], options: ChangeOptions): void {
  const problems: string[] = [];
  for (const { name, dir } of changes) {
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

/**
 * Applies the changes in order; `after` runs once all succeeded (e.g. moving a new repo into
 * place) and its failure undoes them too. Callers run checkRepos first, before they plan: a plan
 * made from a dirty tree would take the uncommitted edits for the team's work.
 */
export function applyChanges(changes: RepoChange[], options: ChangeOptions, after?: () => void): void {
  const done: RepoSnapshot[] = [];
  try {
    for (const change of changes) {
      const { dir } = change;
      const snapshot = snapshotRepo(change.name, dir, true);
      done.push(snapshot);
      if (options.branch) {
        git(dir, ['checkout', '--quiet', '-b', options.branch]);
        snapshot.createdBranch = options.branch;
      }
      for (const write of change.writes) {
        const created = createdBy(dir, write.path);
        if (created) snapshot.created.push(created);
        writeFile(dir, write.path, write.content);
      }
      git(dir, ['add', '--', ...change.writes.map((w) => w.path)]);
      // Commit only when something is staged (a re-render can leave every file as it was).
      const staged = git(dir, ['diff', '--cached', '--name-only']).trim() !== '';
      if (options.commit && staged) git(dir, ['commit', '--quiet', '-m', change.message]);
    }
    after?.();
  } catch (error) {
    restoreAll(done, error);
  }
}
