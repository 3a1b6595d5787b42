/**
 * Writes new repos into a workspace as one transaction: every repo is written and committed in a
 * hidden staging folder next to its final place, then moved in with rename(2). Any failure removes
 * the staging folder and moves back what was already moved, so the workspace is left as it was.
 * (Yeoman's mem-fs commit writes file by file and cannot roll back across three repos and git,
 * which is why the generators hand rendered files to this module instead.)
 */
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { PlatformAnswers, ServiceAnswers } from '../answers/table.ts';
import { UsageError } from '../errors.ts';
import type { RenderedFile, RenderedRepo } from '../render/render.ts';
import { generatorId } from '../version.ts';
import { writeFiles } from './files.ts';
import { initAndCommit } from './git.ts';
import { writeLockfile } from './npm.ts';
import { freshStateFiles } from './state.ts';

export interface NewRepo {
  /** Folder name inside the workspace. */
  name: string;
  files: RenderedFile[];
  commitMessage: string;
  /** Runs in the staged repo after its files are written and before its commit (e.g. npm lockfile). */
  prepare?: (dir: string) => void;
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

export function createRepos(workspace: string, repos: NewRepo[], options: { git: boolean }): void {
  assertAbsent(workspace, repos);
  // The first folder this call creates (if any); a failure removes it again.
  const created = mkdirSync(workspace, { recursive: true });
  const staging = mkdtempSync(join(workspace, '.gitops-platform-staging-'));
  const moved: string[] = [];
  let ok = false;
  try {
    for (const repo of repos) {
      const dir = join(staging, repo.name);
      mkdirSync(dir);
      writeFiles(dir, repo.files);
      repo.prepare?.(dir);
      if (options.git) initAndCommit(dir, repo.commitMessage);
    }
    for (const repo of repos) {
      renameSync(join(staging, repo.name), join(workspace, repo.name));
      moved.push(repo.name);
    }
    ok = true;
  } catch (error) {
    // Move back every repo that can be; one that cannot is named, with the error that started it.
    const stuck: string[] = [];
    for (const name of moved.reverse()) {
      try {
        renameSync(join(workspace, name), join(staging, name));
      } catch (undoError) {
        stuck.push(`${join(workspace, name)}: ${(undoError as Error).message}`);
      }
    }
    if (stuck.length > 0) {
      throw new AggregateError(
        [error],
        `${(error as Error).message}\nand these repos could not be moved back; remove them by hand:\n  ${stuck.join('\n  ')}`,
      );
    }
    throw error;
  } finally {
    rmSync(staging, { recursive: true, force: true });
    if (!ok && created) rmSync(created, { recursive: true, force: true });
  }
}
