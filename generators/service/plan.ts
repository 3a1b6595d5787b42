/**
 * Plans `service <name>`: which files the new service adds to the infra and GitOps repos and how
 * files they share change, merged with the team's edits. Planning reads the repos and writes
 * nothing, so every refusal (name, version, conflicts) happens before any change.
 */
import type { PlatformAnswers, ServiceAnswers } from '../lib/answers/table.ts';
import { checkService } from '../lib/answers/validate.ts';
import { UsageError } from '../lib/errors.ts';
import { buildModel, type Model } from '../lib/model.ts';
import type { LocatedRepo } from '../lib/repos/locate.ts';
import { type PlannedFile, planChange } from '../lib/repos/plan-change.ts';
import { recordedAnswers } from '../lib/repos/state.ts';
import type { RepoChange } from '../lib/repos/transaction.ts';

export interface ServicePlan {
  service: ServiceAnswers;
  model: Model;
  platform: PlatformAnswers;
  services: ServiceAnswers[];
  changes: RepoChange[];
  /** Per repo: every file the new service adds or changes (merged), with its text before and after. */
  summary: { repo: string; files: PlannedFile[] }[];
}

export type { PlannedFile };

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
  if (requested.service === 'remove') {
    throw new UsageError(
      '`remove` cannot name a service: `gitops-platform service remove <name>` is the command that removes one.',
    );
  }
  // The name has no default here: it is the command's required argument.
  const service = checkService({ service: requested.service ?? null, port: requested.port }, platform, existing);
  // A purged service's record gives its name back (its ECR repository is gone).
  const services = [...existing.filter((s) => s.name !== service.name), service];
  const before = buildModel(platform, existing, generator);
  const model = buildModel(platform, services, generator);
  const parts = (['infra', 'gitops'] as const).map((kind, n) =>
    planChange({
      repo: [infra, gitops][n],
      kind,
      before,
      after: model,
      platform,
      services,
      version: generator.version,
      message: `feat: add service ${service.name}`,
      doing: `add ${service.name} to`,
      touches: 'the lines the service adds',
      // Per-service files of the existing services do not change; only shared files and the new
      // service's own files are rendered (keeps each add as fast as the first, whatever the count).
      onlyServices: [service.name],
    }),
  );
  return {
    service,
    model,
    platform,
    services,
    changes: parts.map((p) => p.change),
    summary: parts.map((p) => ({ repo: p.change.name, files: p.files })),
  };
}
