/**
 * What changing the answers of a live platform means, decided before anything is planned:
 * - refused outright: a Kubernetes downgrade (EKS cannot) or a jump of more than one minor (EKS
 *   upgrades one minor at a time);
 * - destructive, so only with --allow-destroy: removing an environment, moving the region, moving an
 *   environment to another account. Each comes with the steps that must happen in AWS, in order;
 * - repos of one workspace that record different answers: named field by field.
 * Reads nothing and writes nothing.
 */
import type { PlatformAnswers } from './answers/table.ts';
import { formatValue, UsageError } from './errors.ts';
import { buildModel, type Environment } from './model.ts';
import { generatorId } from './version.ts';

/** "1.34" -> 34: EKS versions are 1.<minor>. */
function minor(version: string): number {
  return Number(version.split('.')[1]);
}

/** Each environment's Kubernetes version: its own (kubernetesVersions), else kubernetesVersion. */
function kubernetesVersionOf(answers: PlatformAnswers, env: string): string {
  return answers.kubernetesVersions?.[env] ?? answers.kubernetesVersion;
}

/**
 * The one-minor-at-a-time rule of EKS, per cluster, or undefined when the change keeps it. An
 * environment added by the change has no cluster yet: it may start at any version.
 */
function kubernetesRefusal(from: PlatformAnswers, to: PlatformAnswers): string | undefined {
  for (const env of to.environments.filter((e) => from.environments.includes(e))) {
    const [was, will] = [kubernetesVersionOf(from, env), kubernetesVersionOf(to, env)];
    if (minor(will) < minor(was)) {
      return `Kubernetes ${will} for ${env}: its cluster runs ${was}, and EKS cannot downgrade a cluster; nothing was written.`;
    }
    if (minor(will) > minor(was) + 1) {
      const next = `1.${minor(was) + 1}`;
      return (
        `Kubernetes ${will} for ${env}: its cluster runs ${was}, and EKS upgrades one minor version at a time: ` +
        `upgrade to ${next} and apply ${env} first (--kubernetes-versions ${env}=${next} moves ${env} alone); nothing was written.`
      );
    }
  }
  return undefined;
}

/** One destructive change: what it is, and what must happen in AWS, in order. */
export interface Destruction {
  what: string;
  steps: string[];
}

/** `terraform destroy` of one environment's root, as its README runs it. */
function destroy(env: Environment): string {
  return `terraform -chdir=${env.terraformDir} destroy (as ${env.infraApplyRole.name} in account ${env.accountId})`;
}

/** The destructive changes from `from` to `to` (empty when the change destroys nothing). */
export function destructions(from: PlatformAnswers, to: PlatformAnswers): Destruction[] {
  // Names, paths and keys as the recorded answers made them (what exists in AWS today).
  const before = buildModel(from, [], generatorId);
  const after = buildModel(to, [], generatorId);
  const found: Destruction[] = [];
  for (const env of before.environments) {
    const moved = after.environments.find((e) => e.name === env.name);
    if (!moved) {
      found.push({
        what: `environment ${env.name} is removed`,
        steps: [
          // Argo CD does not prune when an Application's path disappears (it reports "app path does
          // not exist" and stops), so the GitOps change cannot be what deletes the workloads.
          ...(env.isProduction
            ? [
                `Set cluster_deletion_protection = false in ${env.terraformDir}/terraform.tfvars on main and let the pipeline apply it.`,
              ]
            : []),
          `From main of the infra repo, where ${env.name}'s files still are, run scripts/teardown.sh ${env.name} (as ${env.infraApplyRole.name} in account ${env.accountId}): it deletes the root Application first, so Argo CD deletes every Application of ${env.clusterName} and what they deployed (load balancers included), waits until nothing is left, then runs ${destroy(env)}.`,
          `Then merge the GitOps repo's change (${env.name}'s values and Applications; no cluster reads them any more), then the infra repo's (its root and CI jobs).`,
          `Then apply bootstrap/ by hand: ${env.name}'s CI roles and their state-key statements go. Its state ${env.stateKey} stays in ${before.terraform.stateBucket} (versions locked for ${before.terraform.stateLockDays} days).`,
          `Last, delete the infra repo's GitHub Environment ${env.infraGithubEnvironment}${env.infraPlanGithubEnvironment ? ` and ${env.infraPlanGithubEnvironment}` : ''} and the secret ${env.argocdRepoSecretName} in account ${env.accountId}.`,
        ],
      });
    } else if (moved.accountId !== env.accountId && from.awsRegion === to.awsRegion) {
      found.push({
        what: `environment ${env.name} moves from account ${env.accountId} to ${moved.accountId}`,
        steps: [
          `Destroy its root in account ${env.accountId} from main before this change is merged: ${destroy(env)}.`,
          `Merge this change and run bootstrap/ by hand, so account ${moved.accountId} gets the GitHub OIDC provider and the CI roles.`,
          `Then let the pipeline apply ${moved.terraformDir} in account ${moved.accountId}.`,
        ],
      });
    }
  }
  if (from.awsRegion !== to.awsRegion) {
    found.push({
      what: `the region moves from ${from.awsRegion} to ${to.awsRegion}: every cluster, VPC, repository and role is made again there`,
      steps: [
        `From main, before this change is merged, destroy each environment root, production last (${before.environments.map((e) => e.terraformDir).join(', ')}), then global/.`,
        `Move or empty the ECR repositories (their images do not move) and ${before.terraform.stateBucket}; bootstrap/ makes the state bucket again in ${to.awsRegion}.`,
        'Merge this change, run bootstrap/ by hand, then let the pipeline apply global/ and each environment.',
      ],
    });
  } else if (from.awsAccountId !== to.awsAccountId) {
    found.push({
      what: `the global account moves from ${from.awsAccountId} to ${to.awsAccountId}: the state bucket, ECR and the services' CI roles`,
      steps: [
        `From main, before this change is merged, empty the ECR repositories and destroy global/ in account ${from.awsAccountId}.`,
        `Merge this change, run bootstrap/ by hand in account ${to.awsAccountId} (it makes ${after.terraform.stateBucket}), then let the pipeline apply global/ and the environments.`,
      ],
    });
  }
  return found;
}

/** The steps of every destructive change, as lines to print. */
export function destructionLines(found: Destruction[]): string[] {
  return found.flatMap((d) => [`- ${d.what}:`, ...d.steps.map((step, i) => `    ${i + 1}. ${step}`)]);
}

/**
 * Refuses a change EKS cannot make, and a destructive one without consent (the refusal lists what
 * must happen in AWS first). Returns the destructive changes allowed with --allow-destroy.
 */
export function checkAnswerChange(from: PlatformAnswers, to: PlatformAnswers, allowDestroy: boolean): Destruction[] {
  const refusal = kubernetesRefusal(from, to);
  if (refusal) throw new UsageError(refusal);
  const found = destructions(from, to);
  if (found.length > 0 && !allowDestroy) {
    throw new UsageError(
      [
        'Refusing a change that destroys infrastructure without --allow-destroy; nothing was written:',
        ...destructionLines(found),
        'Rerun with --allow-destroy once you have planned these steps; they are printed again then.',
      ].join('\n'),
    );
  }
  return found;
}

/** The answers that differ between repos of one workspace: "field: repo = value, repo = value". */
export function differingAnswers(recorded: { name: string; answers: PlatformAnswers }[]): string[] {
  if (recorded.length < 2) return [];
  const fields = new Set(recorded.flatMap((r) => Object.keys(r.answers))) as Set<keyof PlatformAnswers>;
  const lines: string[] = [];
  for (const field of fields) {
    const values = recorded.map((r) => JSON.stringify(r.answers[field] ?? null));
    if (new Set(values).size === 1) continue;
    lines.push(`${field}: ${recorded.map((r) => `${r.name} ${formatValue(r.answers[field])}`).join(', ')}`);
  }
  return lines;
}
