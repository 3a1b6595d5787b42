/**
 * The steps after each run of `service remove`, in the order that leaves nothing behind: Argo CD
 * deletes the workloads before the project stops allowing their namespace and before the roles
 * their pods use are destroyed; the ECR repository is deleted only by an apply after the one that
 * turned force_delete on (plan.ts).
 */
import { basename } from 'node:path';
import type { Model } from '../lib/model.ts';
import { landingText } from '../lib/report.ts';
import type { WorkspaceRepo } from '../lib/repos/plan-workspace.ts';
import type { Removal } from './plan.ts';

export function serviceRemoveSteps(
  before: Model,
  name: string,
  removal: Removal,
  repos: WorkspaceRepo[],
  committed: boolean,
): string[] {
  const infra = repos.find((r) => r.kind === 'infra') as WorkspaceRepo;
  const gitops = repos.find((r) => r.kind === 'gitops') as WorkspaceRepo;
  const repoName = (r: WorkspaceRepo) => basename(r.repo.dir);
  const envs = before.environments;
  const repository = `${before.promote.ecrRepositoryPrefix}${name}`;
  const again = (consent: boolean) => `\`gitops-platform service remove ${name}${consent ? ' --allow-destroy' : ''}\``;
  // Without a branch of its own (--current-branch), a push is the merge: it waits for its step.
  const push = [gitops, infra].every((r) => r.where.created)
    ? `Push ${repoName(gitops)} (${landingText(gitops.where)}) and ${repoName(infra)} (${landingText(infra.where)}) and open their pull requests now; merge each only when a step below says so.`
    : `Push ${repoName(gitops)} and ${repoName(infra)} only when a step below says to merge them: without a pull request, the push is the merge.`;
  const steps: string[] = [
    ...(committed
      ? []
      : [
          'Review the staged changes in each repo (`git diff --cached`) and commit them (--no-commit left them uncommitted).',
        ]),
    push,
  ];
  const clusters = envs.map((e) => `${e.clusterName} (${e.name})`).join(', ');
  const gone = `in each cluster, ${clusters}, \`kubectl -n ${before.argocd.namespace} get application ${name}-<env>\` says NotFound`;
  switch (removal.step) {
    case 'remove': {
      const service = before.services.find((s) => s.name === name);
      if (!service) throw new Error(`no service ${name} in the model`);
      steps.push(
        `Merge ${repoName(gitops)}'s change: each environment's root Application prunes ${service.environments.map((e) => e.applicationName).join(', ')}, and Argo CD deletes everything they deployed (the AppProjects still allow the namespace ${service.namespace}, so it may).`,
        `Wait until ${gone}; then delete the namespace there, \`kubectl delete namespace ${service.namespace}\` (Argo CD created it and leaves it).`,
        `Merge ${repoName(infra)}'s change: the pipeline applies global/ (the CI role ${service.ciRole.name} goes; the ECR repository ${repository} stays${removal.purgeRecorded ? ', and Terraform may delete it with its images from now on' : ', with its images'}) and each environment's root (the Pod Identity roles ${service.environments.map((e) => e.podRole.name).join(', ')} go, now that no pod uses them).`,
        `Delete the service's secrets in AWS Secrets Manager (names starting ${service.environments.map((e) => `"${e.secretsPrefix}"`).join(', ')}), if it had any: Terraform never managed them.`,
        `Archive ${service.repo.fullName} on GitHub: its CI can no longer push (its role is gone), and this workspace's commands leave its repo alone.`,
        `Then run ${again(removal.purgeRecorded)} again: it takes ${service.namespace} out of the AppProjects${removal.purgeRecorded ? ` and deletes ${repository} with its images` : ''}.`,
      );
      break;
    }
    case 'finish':
      steps.push(
        `Check that Argo CD has deleted ${name} (${gone}); then merge ${repoName(gitops)}'s change: the AppProjects no longer allow the namespace ${name}.`,
        removal.deletesImages
          ? `Merge ${repoName(infra)}'s change: the global/ apply deletes the ECR repository ${repository} and every image in it.`
          : removal.purgeRecorded
            ? `Merge ${repoName(infra)}'s change: the global/ apply lets Terraform delete ${repository} with its images (nothing is deleted yet). After that apply, run ${again(true)} again: it deletes the repository.`
            : `Merge ${repoName(infra)}'s change (its record only). The ECR repository ${repository} stays with its images, out of every pipeline; \`gitops-platform service remove ${name} --purge-images --allow-destroy\` deletes it.`,
      );
      break;
    case 'purge':
      steps.push(
        `Merge ${repoName(infra)}'s change: the global/ apply lets Terraform delete ${repository} with its images (nothing is deleted yet). Merge ${repoName(gitops)}'s (its record only) with it.`,
        `After that apply, run ${again(true)} again: it deletes the repository.`,
      );
      break;
    case 'delete':
      steps.push(
        `Merge ${repoName(infra)}'s change: the global/ apply deletes the ECR repository ${repository} and every image in it. Merge ${repoName(gitops)}'s (its record only) with it.`,
        `${name} is then gone; the name may be used for a new service.`,
      );
      break;
  }
  return steps;
}
