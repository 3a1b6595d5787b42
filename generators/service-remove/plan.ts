/**
 * `service remove <name>` goes in steps, one run each, because each must have taken effect before
 * the next is safe; the recorded stage (`retired`, answers/table.ts) says which step is next:
 *
 *   remove  (in service -> pending): its Applications, chart and values leave the GitOps repo; its
 *           CI role and Pod Identity roles leave the infra repo; its ECR repository stays (with
 *           --purge-images, Terraform may now delete it with its images). The AppProject still
 *           allows its namespace: Argo CD deletes only what the project permits, so dropping it in
 *           the same commit would orphan everything the Applications deployed.
 *   finish  (pending -> kept, or purged): the namespace leaves the AppProjects; with --purge-images
 *           recorded, its services.json entry goes, and the next apply deletes the repository.
 *   purge   (kept -> kept, purge recorded): Terraform may delete the repository with its images.
 *   delete  (kept, purge recorded -> purged): its entry goes; the apply deletes the repository.
 *
 * A repository holding images cannot be destroyed while force_delete is off in Terraform's state,
 * so the deletion always comes one applied step after --purge-images: no step wedges global/.
 * Writes nothing.
 */
import type { Flags, Retirement, ServiceAnswers } from '../lib/answers/table.ts';
import { UsageError } from '../lib/errors.ts';

export type RemovalStep = 'remove' | 'finish' | 'purge' | 'delete';

/** Each step's branch in the infra and GitOps repos. */
const BRANCHES: Record<RemovalStep, (name: string) => string> = {
  remove: (name) => `remove-service-${name}`,
  finish: (name) => `finish-remove-service-${name}`,
  purge: (name) => `purge-images-${name}`,
  delete: (name) => `delete-images-${name}`,
};

export interface Removal {
  step: RemovalStep;
  /** Every recorded service after this step. */
  services: ServiceAnswers[];
  /** The stage the service reaches. */
  reaches: Retirement;
  /** The ECR repository is deleted by the apply of this step's infra change. */
  deletesImages: boolean;
  /** Terraform may delete the repository with its images from this step's apply on. */
  purgeRecorded: boolean;
  /** The step deletes something (workloads, roles or images): --allow-destroy required. */
  destroys: boolean;
  branch: string;
  message: string;
}

export function planRemoval(services: ServiceAnswers[], name: string, flags: Flags): Removal {
  const service = services.find((s) => s.name === name);
  const inService = services.filter((s) => !s.retired);
  if (!service) {
    throw new UsageError(
      `${name} is not a service of this platform (${inService.map((s) => s.name).join(', ')}); nothing was written.`,
    );
  }
  const purge = Boolean(flags.purgeImages) || service.purgeImages === true;
  const at = (retired: Retirement, purgeImages: boolean): ServiceAnswers[] =>
    services.map((s) =>
      s.name === name ? { name: s.name, port: s.port, retired, ...(purgeImages && { purgeImages: true as const }) } : s,
    );
  const removal = (step: RemovalStep, reaches: Retirement, purgeRecorded: boolean, message: string): Removal => ({
    step,
    services: at(reaches, purgeRecorded),
    reaches,
    deletesImages: reaches === 'purged',
    purgeRecorded,
    destroys: step === 'remove' || purgeRecorded,
    branch: BRANCHES[step](name),
    message,
  });
  switch (service.retired) {
    case undefined:
      if (inService.length === 1) {
        throw new UsageError(
          `${name} is the platform's only service; add the one that replaces it first (\`gitops-platform service <name>\`); nothing was written.`,
        );
      }
      return removal('remove', 'pending', purge, `feat!: remove service ${name}`);
    case 'pending':
      // Purge recorded by the first step: Terraform applied force_delete then, so the repository goes now.
      if (service.purgeImages) return removal('finish', 'purged', true, `chore: finish removing service ${name}`);
      return removal('finish', 'kept', purge, `chore: finish removing service ${name}`);
    case 'kept':
      if (service.purgeImages) return removal('delete', 'purged', true, `chore: delete the ECR repository of ${name}`);
      if (purge) return removal('purge', 'kept', true, `chore: let Terraform delete the ECR repository of ${name}`);
      throw new UsageError(
        `${name} is removed; its ECR repository is kept with its images. \`--purge-images\` deletes it; nothing was written.`,
      );
    case 'purged':
      throw new UsageError(
        `${name} is removed, and its ECR repository deleted: nothing is left to remove; nothing was written.`,
      );
  }
}
