/**
 * Writes new repos into a workspace as one transaction: every repo is written and committed in a
 * hidden staging folder next to its final place (the repos side by side), then moved in with
 * rename(2). Any failure removes the staging folder and moves back what was already moved, so the
 * workspace is left as it was.
 * (Yeoman's mem-fs commit writes file by file and cannot roll back across three repos and git,
 * which is why the generators hand rendered files to this module instead.)
 */
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { PlatformAnswers, ServiceAnswers } from '../answers/table.ts';
import { failureText, UsageError } from '../errors.ts';
import { checkpoint, pointOfNoReturn } from '../process/interrupt.ts';
import type { RenderedFile, RenderedRepo } from '../render/render.ts';
import { generatorId } from '../version.ts';
import { writeFiles } from './files.ts';
import { type FolderOption, makeFolder, STAGING_PREFIX } from './folders.ts';
import { commitAll, initRepo } from './git.ts';
import { writeLockfile } from './npm.ts';
import { freshStateFiles } from './state.ts';

export interface NewRepo {
  /** Folder name inside the workspace. */
  name: string;
  files: RenderedFile[];
  commitMessage: string;
  /** Runs in the staged repo after its files are written and before its commit (e.g. npm lockfile). */
  prepare?: (dir: string) => void | Promise<void>;
}

/**
 * A rendered repo as `new` and `service` create it: its files, its state files and one commit;
 * an app repo also gets its package-lock.json unless `skipInstall`.
 */
export function newRepo(
  rendered: RenderedRepo,
  platform: PlatformAnswers,
  services: ServiceAnswers[],
  options: { skipInstall?: boolean },
): NewRepo {
  return {
    name: rendered.repo.name,
    files: [...rendered.files, ...freshStateFiles(rendered, platform, services, generatorId.version)],
    commitMessage: `chore: generate ${rendered.repo.kind} repo with ${generatorId.name} ${generatorId.version}`,
    prepare: rendered.repo.kind === 'app' && !options.skipInstall ? writeLockfile : undefined,
  };
}

/** Refuses (before writing anything) when any target folder exists: `new` never clobbers. */
export function assertAbsent(workspace: string, repos: NewRepo[]): void {
  const existing = repos.filter((r) => existsSync(join(workspace, r.name))).map((r) => r.name);
  if (existing.length > 0) {
    throw new UsageError(
      `Refusing to write into ${workspace}: ${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''}. ` +
        'Nothing was written. To bring new templates into existing repos use `gitops-platform upgrade`; ' +
        'to start over, pick another --output folder.',
    );
  }
}

/** Repos written and committed in a hidden staging folder of the workspace, not yet in place. */
interface StagedRepos {
  /** Moves every repo into the workspace, or none: a failed move puts back the ones moved. */
  moveIn(): void;
  /** Moves back every repo that moveIn moved (an interrupt right after it). */
  moveOut(): void;
  /** Removes the staging folder (and the workspace folder, if staging made it and nothing moved in). */
  discard(): void;
}

/** Moves each repo from one folder to another; a failure moves back the ones moved, or names them. */
function moveAll(names: string[], from: string, to: string): void {
  const done: string[] = [];
  try {
    for (const name of names) {
      renameSync(join(from, name), join(to, name));
      done.push(name);
    }
  } catch (error) {
    const stuck: string[] = [];
    for (const name of done.reverse()) {
      try {
        renameSync(join(to, name), join(from, name));
      } catch (undoError) {
        stuck.push(`${join(to, name)}: ${(undoError as Error).message}`);
      }
    }
    if (stuck.length > 0) {
      throw new AggregateError(
        [error],
        `${(error as Error).message}\nand these repos could not be moved back; remove them by hand:\n  ${stuck.join('\n  ')}`,
      );
    }
    throw error;
  }
}

/**
 * Writes each repo into the staging folder and commits it; the repos are prepared and committed
 * side by side. A failure or an interrupt discards everything staged before it is thrown. The
 * staging folder's name carries this process's pid, so a later run can tell one left by a killed
 * run (folders.ts#removeStaleStaging).
 */
export async function stageRepos(
  workspace: string,
  repos: NewRepo[],
  options: { git: boolean; folder?: FolderOption },
): Promise<StagedRepos> {
  assertAbsent(workspace, repos);
  // The first folder this call creates (if any); a failure removes it again.
  const created = makeFolder(workspace, options.folder ?? { option: 'the workspace', given: workspace });
  const staging = mkdtempSync(join(workspace, `${STAGING_PREFIX}${process.pid}-`));
  const names = repos.map((r) => r.name);
  let moved = false;
  const staged: StagedRepos = {
    moveIn() {
      moveAll(names, staging, workspace);
      moved = true;
    },
    moveOut() {
      if (!moved) return;
      moveAll(names, workspace, staging);
      moved = false;
    },
    discard() {
      rmSync(staging, { recursive: true, force: true });
      if (!moved && created) rmSync(created, { recursive: true, force: true });
    },
  };
  // Every child process this call starts; settled before the staging folder may be removed.
  const started: Promise<unknown>[] = [];
  try {
    await checkpoint('staging folder made');
    const dirs = repos.map((repo) => join(staging, repo.name));
    for (const dir of dirs) mkdirSync(dir);
    // git init runs while the files are written.
    const inits = dirs.map((dir) => (options.git ? initRepo(dir) : Promise.resolve()));
    // Their failures are reported below; until then they must not count as unhandled.
    for (const init of inits) init.catch(() => {});
    started.push(...inits);
    for (const [n, repo] of repos.entries()) {
      writeFiles(dirs[n], repo.files);
      await checkpoint(`${repo.name} written`);
    }
    const commits = repos.map(async (repo, n) => {
      await repo.prepare?.(dirs[n]);
      await inits[n];
      if (options.git)
        await commitAll(dirs[n], repo.commitMessage, new Map(repo.files.map((f) => [f.path, f.content])));
    });
    started.push(...commits);
    const failed = (await Promise.allSettled(started)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    await checkpoint('repos committed');
  } catch (error) {
    // Wait for every child (even after one failed), so nothing writes into staging once it is removed.
    await Promise.allSettled(started);
    staged.discard();
    throw error;
  }
  return staged;
}

/** Writes and commits new repos, then moves them into the workspace: all of them, or nothing. */
export async function createRepos(
  workspace: string,
  repos: NewRepo[],
  options: { git: boolean; folder?: FolderOption },
): Promise<void> {
  const staged = await stageRepos(workspace, repos, options);
  try {
    staged.moveIn();
    await checkpoint('repos moved into place');
    pointOfNoReturn();
  } catch (error) {
    try {
      staged.moveOut();
    } catch (undoError) {
      throw new AggregateError([error, undoError], `${failureText(error)}\nand ${(undoError as Error).message}`);
    }
    throw error;
  } finally {
    staged.discard();
  }
}
