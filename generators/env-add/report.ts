/**
 * The steps after `env add`, in the order that works: the new environment's CI roles and its Argo
 * CD credential exist before its root is planned, the infra repo's pipeline builds the cluster
 * before Argo CD there has anything to sync, and the app repos follow.
 */
import { basename } from 'node:path';
import type { Model } from '../lib/model.ts';
import { pushStep } from '../lib/report.ts';
import type { WorkspaceRepo } from '../lib/repos/plan-workspace.ts';

export function envAddSteps(
  before: Model,
  after: Model,
  name: string,
  repos: WorkspaceRepo[],
  committed: boolean,
): string[] {
  const env = after.environments.find((e) => e.name === name);
  if (!env) throw new Error(`no environment ${name} in the model`);
  const infra = repos.find((r) => r.kind === 'infra') as WorkspaceRepo;
  const gitops = repos.find((r) => r.kind === 'gitops') as WorkspaceRepo;
  const apps = repos.filter((r) => r.kind === 'app');
  const name_ = (r: WorkspaceRepo) => basename(r.repo.dir);
  const newAccount = !before.terraform.accounts.some((a) => a.id === env.accountId);
  const becomesProduction = env.isProduction;
  const environments = [
    env.infraGithubEnvironment,
    ...(env.infraPlanGithubEnvironment ? [env.infraPlanGithubEnvironment] : []),
  ];
  return [
    ...(committed
      ? []
      : [
          'Review the staged changes in each repo (`git diff --cached`) and commit them (--no-commit left them uncommitted).',
        ]),
    `From ${name_(infra)} at ${infra.where.branch}, apply bootstrap/ by hand: it makes ${env.infraPlanRole.name} and ${env.infraApplyRole.name} in account ${env.accountId} and the state bucket's statement for ${env.stateKey}` +
      (newAccount
        ? `; account ${env.accountId} is new to the platform, so first give its AWS CLI profile in bootstrap/terraform.tfvars`
        : '') +
      `. Then create the secret ${env.argocdRepoSecretName} in account ${env.accountId} (infra README, "Argo CD's access to the GitOps repository").`,
    `Create the infra repo's GitHub Environment${environments.length > 1 ? 's' : ''} ${environments.join(' and ')} as its README's first-time setup says (deployments from main only${becomesProduction ? '; required reviewers, as production' : ''}).` +
      (becomesProduction
        ? ` ${before.productionEnvironment.name} is no longer production: its reviewers and ${before.productionEnvironment.infraPlanGithubEnvironment} can go once ${name} has them.`
        : ''),
    `${pushStep(name_(infra), infra.where, 'first')}: the pipeline applies ${env.terraformDir} (VPC ${env.vpcCidr}, the cluster ${env.clusterName}, Argo CD)${becomesProduction ? ' after the approval' : ''}.`,
    `${pushStep(name_(gitops), gitops.where, `once ${env.clusterName} is up`)}: Argo CD there syncs ${env.argocdPath}/, and promotion goes ${after.environments.map((e) => e.name).join(' -> ')}.`,
    ...apps.map((app) => `${pushStep(name_(app), app.where, 'any time')}: its README knows the new order.`),
  ];
}
