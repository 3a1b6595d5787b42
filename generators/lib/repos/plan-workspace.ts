/**
 * A change of the platform answers (an environment added or removed), landed as `service` lands
 * its change: every repo of the workspace (infra, GitOps, and each service's app repo beside them)
 * read where the change starts (the default branch, unless --current-branch), required to be clean,
 * at this generator's version and to record the same answers, then planned with plan-change.ts.
 * Reads the repos; writes nothing.
 */
import { basename, dirname } from 'node:path';
import type { PlatformAnswers, ServiceAnswers } from '../answers/table.ts';
import { UsageError } from '../errors.ts';
import { buildModel, type Model, type RepoKind } from '../model.ts';
import type { Landing } from '../report.ts';
import { currentBranch } from './git.ts';
import { appReposIn, atDefaultBranch, findRepo, type LocatedRepo } from './locate.ts';
import { type PlannedRepo, planChange } from './plan-change.ts';
import { recordedAnswers } from './state.ts';
import { checkRepos } from './transaction.ts';

export interface WorkspaceRepo {
  kind: RepoKind;
  repo: LocatedRepo;
  /** App repos: their service. */
  service?: string;
  where: Landing;
}

/**
 * The repos of the workspace around `cwd` (or the given infra and GitOps paths), checked clean,
 * each read where the change starts: a new branch starts from the default branch.
 */
export function locateWorkspace(
  cwd: string,
  paths: { infra?: string; gitops?: string },
  branch?: string,
  options: { apps: boolean } = { apps: true },
): WorkspaceRepo[] {
  const infra = findRepo('infra', cwd, paths.infra);
  const gitops = findRepo('gitops', cwd, paths.gitops);
  // A removed service's app repo stays beside the others, left alone (its team archives it).
  const removed = new Set(gitops.state.services.filter((s) => s.retired).map((s) => s.name));
  const apps = options.apps
    ? appReposIn(dirname(gitops.dir)).filter((repo) => !removed.has(repo.state.services[0]?.name))
    : [];
  const found = [
    { kind: 'infra' as const, repo: infra },
    { kind: 'gitops' as const, repo: gitops },
    ...apps.map((repo) => ({ kind: 'app' as const, repo })),
  ];
  // Dirty trees are refused before planning reads them (their edits would look like conflicts).
  checkRepos(
    found.map((f) => ({ name: basename(f.repo.dir), dir: f.repo.dir })),
    { branch, commit: true },
  );
  return found.map(({ kind, repo }) => {
    const at = branch ? atDefaultBranch(repo) : repo;
    const from = at.startPoint ?? currentBranch(repo.dir);
    return {
      kind,
      repo: at,
      service: kind === 'app' ? at.state.services[0]?.name : undefined,
      where: { branch: branch ?? from, from, created: branch !== undefined },
    };
  });
}

/** What every repo records, checked to be one platform at this version. */
export function recordedPlatform(
  repos: WorkspaceRepo[],
  version: string,
): { platform: PlatformAnswers; services: ServiceAnswers[] } {
  const behind = repos.filter((r) => r.repo.state.version !== version);
  if (behind.length > 0) {
    throw new UsageError(
      `${behind.map((r) => `${r.repo.dir} was written by ${r.repo.state.version}`).join('; ')}, this is ${version}: ` +
        'run `gitops-platform upgrade` in the workspace first, so the change is made to up-to-date templates; nothing was written.',
    );
  }
  const gitops = repos.find((r) => r.kind === 'gitops') as WorkspaceRepo;
  const recorded = recordedAnswers(gitops.repo.state);
  for (const r of repos) {
    const theirs = recordedAnswers(r.repo.state);
    if (JSON.stringify(theirs.platform) !== JSON.stringify(recorded.platform)) {
      throw new UsageError(
        `${r.repo.dir} and ${gitops.repo.dir} record different answers: run \`gitops-platform upgrade\` with the same answers in the workspace first; nothing was written.`,
      );
    }
    const names = theirs.services.map((s) => s.name);
    const expected =
      r.kind === 'app'
        ? names.filter((n) => recorded.services.some((s) => s.name === n && !s.retired))
        : recorded.services.map((s) => s.name);
    if (JSON.stringify(names) !== JSON.stringify(expected)) {
      throw new UsageError(
        `${r.repo.dir} lists services (${names.join(', ')}) that ${gitops.repo.dir} does not: merge the pending add-service pull requests first; nothing was written.`,
      );
    }
    const stages = (services: ServiceAnswers[]) =>
      JSON.stringify(services.map((s) => [s.name, s.retired, s.purgeImages]));
    if (r.kind === 'infra' && stages(theirs.services) !== stages(recorded.services)) {
      throw new UsageError(
        `${r.repo.dir} and ${gitops.repo.dir} record a service removal at different steps: merge the pending service remove pull requests of both first; nothing was written.`,
      );
    }
  }
  return recorded;
}

/** Every repo's plan for the answers and services `to`, from what they record. */
export function planWorkspace(
  repos: WorkspaceRepo[],
  recorded: { platform: PlatformAnswers; services: ServiceAnswers[] },
  to: { platform: PlatformAnswers; services: ServiceAnswers[] },
  generator: { name: string; version: string },
  what: { message: string; doing: string; touches: string },
): { before: Model; after: Model; plans: { repo: WorkspaceRepo; planned: PlannedRepo }[] } {
  const before = buildModel(recorded.platform, recorded.services, generator);
  const after = buildModel(to.platform, to.services, generator);
  const plans = repos.map((repo) => ({
    repo,
    planned: planChange({
      repo: repo.repo,
      kind: repo.kind,
      service: repo.service,
      before,
      after,
      platform: to.platform,
      services: to.services,
      version: generator.version,
      ...what,
    }),
  }));
  return { before, after, plans };
}
