/**
 * Finding the repos that `new` made: the infra and GitOps repos of a workspace (service), or every
 * repo in or under a folder (upgrade). Later commands start here.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import type { RepoKind } from '../model.ts';
import { type FileReader, workTree } from './files.ts';
import { branchReader, currentBranch, defaultBranch } from './git.ts';
import { PACKAGE_NAME, type RepoState, readRepoState } from './state.ts';

export interface LocatedRepo {
  dir: string;
  state: RepoState;
  /** Its files as the command sees them: the work tree, or the branch a change starts from. */
  read: FileReader;
  /** The branch `read` reads, when it is not the one checked out. */
  startPoint?: string;
}

/**
 * The repo as its default branch has it (git.ts#defaultBranch), whatever is checked out: a change
 * that starts a branch plans from there. Refused when that branch has no state of ours.
 */
export function atDefaultBranch(repo: LocatedRepo): LocatedRepo {
  const branch = defaultBranch(repo.dir);
  if (branch === currentBranch(repo.dir)) return repo;
  const read = branchReader(repo.dir, branch);
  const state = readRepoState(repo.dir, read);
  if (!state || state.repo !== repo.state.repo) {
    throw new UsageError(
      `${repo.dir}: its default branch ${branch} has no ${repo.state.repo} repo state (.yo-rc.json)`,
    );
  }
  return { dir: repo.dir, state, read, startPoint: branch };
}

/** The repos made by this package among `folder` and its children (of one kind, or all). */
function reposIn(folder: string, kind?: RepoKind): LocatedRepo[] {
  const found: LocatedRepo[] = [];
  const candidates = [
    folder,
    ...readdirSync(folder)
      .sort()
      .map((entry) => join(folder, entry)),
  ];
  for (const dir of candidates) {
    // A dangling symlink or an entry this user may not read is not a repo of ours: skipped.
    let isFolder = false;
    try {
      isFolder = statSync(dir).isDirectory();
    } catch {
      continue;
    }
    if (!isFolder) continue;
    const state = readRepoState(dir);
    if (state && (kind === undefined || state.repo === kind)) found.push({ dir, state, read: workTree(dir) });
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
    return { dir, state, read: workTree(dir) };
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

/** The app repos (one per service) in a workspace folder. */
export function appReposIn(folder: string): LocatedRepo[] {
  return reposIn(folder, 'app');
}

/** The repo in the current folder, or every repo made by this package in the folder's children. */
export function reposAround(cwd: string): LocatedRepo[] {
  const here = readRepoState(cwd);
  if (here) return [{ dir: cwd, state: here, read: workTree(cwd) }];
  const found = reposIn(cwd);
  if (found.length === 0) {
    throw new UsageError(`No repo made by ${PACKAGE_NAME} in or under ${cwd} (no .yo-rc.json).`);
  }
  return found;
}
