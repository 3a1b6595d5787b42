/**
 * The steps after `env remove`, in the order that leaves nothing behind in AWS: what the GitOps
 * repo deployed there goes first (teardown.sh deletes the root Application, then the root), then the
 * changes are merged, then bootstrap/ drops the environment's CI roles. Which steps CI runs: none
 * for the removed root (its files are gone from main); Argo CD deletes the workloads when
 * teardown.sh deletes the root Application.
 */

import { basename } from 'node:path';
import type { Destruction } from '../lib/answer-changes.ts';
import type { Model } from '../lib/model.ts';
import { landingText } from '../lib/report.ts';
import type { WorkspaceRepo } from '../lib/repos/plan-workspace.ts';

export function envRemoveSteps(
  before: Model,
  name: string,
  destruction: Destruction,
  repos: WorkspaceRepo[],
  committed: boolean,
): string[] {
  if (!before.environments.some((e) => e.name === name)) throw new Error(`no environment ${name} in the model`);
  const name_ = (r: WorkspaceRepo) => basename(r.repo.dir);
  // GitOps before infra: the infra change deletes the root teardown.sh destroys from main.
  const order = [...repos].sort((a, b) => rank(a) - rank(b));
  const branches = order.map((r) => `${name_(r)} (${landingText(r.where)})`).join(', ');
  // Without a branch of its own (--current-branch), a push is the merge: it waits for its step.
  const push = order.every((r) => r.where.created)
    ? `Push ${branches} and open their pull requests now; merge each only when a step below says so.`
    : `Push ${branches} only when a step below says to merge it: without a pull request, the push is the merge.`;
  return [
    ...(committed
      ? []
      : [
          'Review the staged changes in each repo (`git diff --cached`) and commit them (--no-commit left them uncommitted).',
        ]),
    push,
    ...destruction.steps,
    `Merge ${
      order
        .filter((r) => r.kind === 'app')
        .map(name_)
        .join(', ') || 'the app repos'
    } any time: their READMEs and CI know the new order.`,
    'No workflow runs any of this for you: the pipeline plans and applies only the roots main has, and Argo CD deletes the workloads when teardown.sh deletes the root Application.',
  ];
}

function rank(r: WorkspaceRepo): number {
  return r.kind === 'gitops' ? 0 : r.kind === 'infra' ? 1 : 2;
}
