/**
 * Plans `service <name>`: which files the new service adds to the infra and GitOps repos and how
 * files they share change, merged with the team's edits. Planning reads the repos and writes
 * nothing, so every refusal (name, version, conflicts) happens before any change.
 */
import type { PlatformAnswers, ServiceAnswers } from '../lib/answers/table.ts';
import { checkService } from '../lib/answers/validate.ts';
import { UsageError } from '../lib/errors.ts';
import { mergeFile } from '../lib/merge.ts';
import { buildModel, type Model, type RepoKind } from '../lib/model.ts';
import { renderRepo } from '../lib/render/render.ts';
import type { LocatedRepo } from '../lib/repos/locate.ts';
import { manifestOf, readManifest, recordedAnswers, stateFiles } from '../lib/repos/state.ts';
import type { FileOp, RepoChange } from '../lib/repos/transaction.ts';

export interface ServicePlan {
  service: ServiceAnswers;
  model: Model;
  platform: PlatformAnswers;
  services: ServiceAnswers[];
  changes: RepoChange[];
  /** Per repo: every file the new service adds or changes (merged), with its text before and after. */
  summary: { repo: string; files: PlannedFile[] }[];
}

/** One file of a plan, as a review shows it. */
export interface PlannedFile {
  path: string;
  action: 'add' | 'change';
  /** The file as it is (undefined: it does not exist). */
  before?: string;
  after: string;
}

function planRepo(
  repo: LocatedRepo,
  kind: Exclude<RepoKind, 'app'>,
  before: Model,
  after: Model,
  platform: PlatformAnswers,
  services: ServiceAnswers[],
  version: string,
  service: string,
): { change: RepoChange; files: PlannedFile[] } {
  // Per-service files of the existing services do not change; only shared files and the new
  // service's own files are rendered (keeps each add as fast as the first, whatever the count).
  const old = new Map(renderRepo(before, kind, undefined, []).files.map((f) => [f.path, f.content]));
  const rendered = renderRepo(after, kind, undefined, [service]);
  const ops: FileOp[] = [];
  const files: PlannedFile[] = [];
  const conflicts: string[] = [];
  for (const file of rendered.files) {
    const base = old.get(file.path);
    const ours = base === file.content ? undefined : repo.read(file.path);
    if (base === undefined) {
      if (ours !== undefined) conflicts.push(`${file.path} (a new file of the service, but it already exists)`);
      else {
        ops.push({ path: file.path, content: file.content });
        files.push({ path: file.path, action: 'add', after: file.content });
      }
      continue;
    }
    // Unchanged, deleted by the team, or the team's own file after creation (policy once).
    if (base === file.content || ours === undefined || file.policy === 'once') continue;
    const merged = mergeFile(file.path, base, ours, file.content);
    if (merged.conflicts > 0) conflicts.push(`${file.path} (your edits overlap the lines the service adds)`);
    else if (merged.content !== ours) {
      ops.push({ path: file.path, content: merged.content });
      files.push({ path: file.path, action: 'change', before: ours, after: merged.content });
    }
  }
  if (conflicts.length > 0) {
    throw new UsageError(
      `Cannot add ${service} to ${repo.dir} without overwriting your work; nothing was written:\n  - ${conflicts.join('\n  - ')}`,
    );
  }
  // The manifest keeps the entries of the files not rendered here (they did not change).
  const previous = readManifest(repo.dir, repo.read);
  const complete = previous ? rendered : renderRepo(after, kind);
  const manifest = manifestOf(complete.files, version, previous);
  for (const state of stateFiles({ kind }, platform, services, manifest)) {
    ops.push(state);
    const was = repo.read(state.path);
    files.push({ path: state.path, action: was === undefined ? 'add' : 'change', before: was, after: state.content });
  }
  return {
    change: {
      name: rendered.repo.name,
      dir: repo.dir,
      ops,
      message: `feat: add service ${service}`,
      startPoint: repo.startPoint,
    },
    files,
  };
}

export function planServiceAdd(
  infra: LocatedRepo,
  gitops: LocatedRepo,
  requested: { service: unknown; port: unknown },
  generator: { name: string; version: string },
): ServicePlan {
  for (const repo of [infra, gitops]) {
    if (repo.state.version !== generator.version) {
      throw new UsageError(
        `${repo.dir} was written by ${generator.name} ${repo.state.version}, this is ${generator.version}: ` +
          'run `gitops-platform upgrade` first, so the service is added to up-to-date templates.',
      );
    }
  }
  const { platform, services: existing } = recordedAnswers(gitops.state);
  const infraRecorded = recordedAnswers(infra.state);
  if (JSON.stringify(infraRecorded.platform) !== JSON.stringify(platform)) {
    throw new UsageError(
      'The infra and GitOps repos record different answers (one was upgraded with a changed answer alone): ' +
        'run `gitops-platform upgrade` with the same answers in the workspace first.',
    );
  }
  const infraServices = infraRecorded.services.map((s) => s.name);
  if (JSON.stringify(infraServices) !== JSON.stringify(existing.map((s) => s.name))) {
    throw new UsageError(
      `The infra and GitOps repos list different services (${infraServices.join(', ')} / ${existing
        .map((s) => s.name)
        .join(', ')}): merge the pending add-service pull requests first.`,
    );
  }
  // The name has no default here: it is the command's required argument.
  const service = checkService({ service: requested.service ?? null, port: requested.port }, platform, existing);
  const services = [...existing, service];
  const before = buildModel(platform, existing, generator);
  const model = buildModel(platform, services, generator);
  const parts = [
    planRepo(infra, 'infra', before, model, platform, services, generator.version, service.name),
    planRepo(gitops, 'gitops', before, model, platform, services, generator.version, service.name),
  ];
  return {
    service,
    model,
    platform,
    services,
    changes: parts.map((p) => p.change),
    summary: parts.map((p) => ({ repo: p.change.name, files: p.files })),
  };
}
