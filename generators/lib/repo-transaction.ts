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

interface Applied {
  change: RepoChange;
  head: string;
  branch: string;
  created: string[];
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

function undo(applied: Applied, options: ChangeOptions): void {
  const { dir } = applied.change;
  git(dir, ['checkout', '--quiet', '--force', applied.branch]);
  git(dir, ['reset', '--quiet', '--hard', applied.head]);
  if (options.branch && git(dir, ['branch', '--list', options.branch]).trim() !== '') {
    git(dir, ['branch', '--quiet', '-D', options.branch]);
  }
  for (const path of applied.created) {
    if (existsSync(join(dir, path))) rmSync(join(dir, path), { force: true });
  }
}

/**
 * Applies the changes in order; `after` runs once all succeeded (e.g. moving a new repo into
 * place) and its failure undoes them too. Callers run checkRepos first, before they plan: a plan
 * made from a dirty tree would take the uncommitted edits for the team's work.
 */
export function applyChanges(changes: RepoChange[], options: ChangeOptions, after?: () => void): void {
  const done: Applied[] = [];
  try {
    for (const change of changes) {
      const { dir } = change;
      const applied: Applied = {
        change,
        head: git(dir, ['rev-parse', 'HEAD']).trim(),
        branch: git(dir, ['symbolic-ref', '--short', 'HEAD']).trim(),
        created: [],
      };
      done.push(applied);
      if (options.branch) git(dir, ['checkout', '--quiet', '-b', options.branch]);
      for (const write of change.writes) {
        if (!existsSync(join(dir, write.path))) applied.created.push(write.path);
        writeFile(dir, write.path, write.content);
      }
      git(dir, ['add', '--', ...change.writes.map((w) => w.path)]);
      // Commit only when something is staged (a re-render can leave every file as it was).
      const staged = git(dir, ['diff', '--cached', '--name-only']).trim() !== '';
      if (options.commit && staged) git(dir, ['commit', '--quiet', '-m', change.message]);
    }
    after?.();
  } catch (error) {
    // Put back every repo, even if one of them resists, and say which did.
    const failures: string[] = [];
    for (const applied of done.reverse()) {
      try {
        undo(applied, options);
      } catch (undoError) {
        failures.push(`${applied.change.name}: ${(undoError as Error).message}`);
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
}
