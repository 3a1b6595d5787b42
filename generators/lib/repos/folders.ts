/**
 * The workspace folder that receives new repos: checked before anything is written (so a dry run
 * refuses what a real run would), made one level at a time, and cleared of the staging folders of
 * runs that were killed. Errors name the option the folder came from (`--output afile: ...`).
 */
import {
  accessSync,
  constants,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { UsageError } from '../errors.ts';

/** Staging folders are named with the pid of the run that owns them: `<prefix><pid>-<random>`. */
export const STAGING_PREFIX = '.gitops-platform-staging-';

/** How a folder is named in messages: the option and the path as given. */
export interface FolderOption {
  option: string;
  given: string;
}

function refuse(where: FolderOption, reason: string): never {
  throw new UsageError(`${where.option} ${where.given}: ${reason}; nothing was written.`);
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? 'error';
}

const reasons: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'not a folder',
  ENOSPC: 'no space left on the device',
  ELOOP: 'too many symbolic links',
};

function reasonOf(error: unknown): string {
  const code = errorCode(error);
  return reasons[code] ?? (error as Error).message;
}

/**
 * Refuses a folder that cannot receive repos: a file in its place or on its path, or a nearest
 * existing folder this user cannot write in, or one where no folder can be made (/proc, /sys:
 * root may write there, but mkdir fails). A dry run refuses what the run would. Leaves nothing
 * behind (the probe folder goes at once); returns the absolute path.
 */
export function checkFolder(cwd: string, where: FolderOption): string {
  const path = resolve(cwd, where.given);
  let existing = path;
  /** The topmost folder a run would make, if any. */
  let firstMissing: string | undefined;
  for (;;) {
    let stat: ReturnType<typeof statSync> | undefined;
    try {
      stat = statSync(existing);
    } catch (error) {
      // Missing, or under a file (ENOTDIR): the parent says which.
      if (!['ENOENT', 'ENOTDIR'].includes(errorCode(error))) {
        refuse(where, `cannot read ${existing} (${reasonOf(error)})`);
      }
    }
    if (stat) {
      if (stat.isDirectory()) break;
      refuse(
        where,
        existing === path ? 'is a file, not a folder' : `${relative(cwd, existing)} is a file, not a folder`,
      );
    }
    const parent = dirname(existing);
    if (parent === existing) break;
    firstMissing = existing;
    existing = parent;
  }
  try {
    accessSync(existing, constants.W_OK | constants.X_OK);
  } catch (error) {
    refuse(where, `cannot write in ${existing} (${reasonOf(error)})`);
  }
  if (firstMissing !== undefined) {
    let probe: string | undefined;
    try {
      probe = mkdtempSync(join(existing, '.gitops-platform-probe-'));
    } catch (error) {
      refuse(where, `cannot create ${firstMissing} (${reasonOf(error)})`);
    } finally {
      if (probe) rmdirSync(probe);
    }
  }
  return path;
}

/**
 * Makes `path` and its missing parents, one level at a time (a recursive mkdir spins forever on
 * some file systems, /proc among them). Returns the topmost folder it made, for a rollback to
 * remove, or undefined when the folder existed.
 */
export function makeFolder(path: string, where: FolderOption): string | undefined {
  const missing: string[] = [];
  for (let dir = path; ; dir = dirname(dir)) {
    try {
      if (statSync(dir).isDirectory()) break;
      refuse(where, `${dir} is a file, not a folder`);
    } catch (error) {
      if (error instanceof UsageError) throw error;
      if (dirname(dir) === dir) break;
      missing.unshift(dir);
    }
  }
  for (const dir of missing) {
    try {
      mkdirSync(dir);
    } catch (error) {
      if (missing[0] !== dir) rmSync(missing[0], { recursive: true, force: true });
      refuse(where, `cannot create ${dir} (${reasonOf(error)})`);
    }
  }
  return missing[0];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: a process of another user has that pid.
    return errorCode(error) === 'EPERM';
  }
}

/**
 * Removes the staging folders in `workspace` whose run is gone (killed before it could clean up);
 * one of a run still going is left alone. Returns the folders removed, for a note to the user.
 */
export function removeStaleStaging(workspace: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(workspace);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const entry of entries) {
    if (!entry.startsWith(STAGING_PREFIX)) continue;
    const pid = Number(entry.slice(STAGING_PREFIX.length).split('-')[0]);
    const dir = join(workspace, entry);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || alive(pid)) continue;
    if (!lstatSync(dir).isDirectory()) continue;
    rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}
