/** What `service` tells the user: the files of a dry run, or what it changed and the merge order. */
import type { NewRepo } from '../lib/repos/create.ts';
import type { ServicePlan } from './plan.ts';

export function dryRunLines(plan: ServicePlan, app: NewRepo, branch: string | undefined): string[] {
  return [
    `${app.name}/ (new repo, ${app.files.length} files)`,
    ...plan.summary.flatMap(({ repo, added, changed }) => [
      `${repo}/ (${branch ? `branch ${branch}` : 'current branch'})`,
      ...added.map((path) => `  add     ${path}`),
      ...changed.map((path) => `  change  ${path}`),
    ]),
    'Dry run: nothing was written.',
  ];
}

export function doneLines(
  plan: ServicePlan,
  app: NewRepo,
  options: { branch?: string; committed: boolean; skipInstall: boolean },
): string[] {
  const { branch, committed } = options;
  const [infra, gitops] = plan.summary;
  const on = branch ? ` (${branch})` : '';
  return [
    `Added service ${plan.service.name} (port ${plan.service.port}):`,
    `  ${app.name}/  new repo, ${app.files.length} files, one commit`,
    ...plan.summary.map(
      (part) =>
        `  ${part.repo}/  ${part.added.length} files added, ${part.changed.length} changed` +
        `${branch ? ` on branch ${branch}` : ''}${committed ? ', one commit' : ', staged, not committed'}`,
    ),
    '',
    'Next steps:',
    `  1. Push ${infra.repo}${on} and open its pull request. Merge it first:`,
    '     applying it creates the ECR repository, the CI role and the Pod Identity roles the service needs.',
    `  2. Push ${gitops.repo}${on} and open its pull request; merge it after the infra apply,`,
    '     so Argo CD creates the namespace and service account that the Pod Identity association expects.',
    `  3. Create the GitHub repo ${plan.model.githubOwner}/${plan.service.name}, push ${app.name}/, and set its`,
    '     variables and secrets (see its README). Its first merge to main builds and deploys it.',
    ...(options.skipInstall
      ? [
          `     First run \`npm install --package-lock-only\` in ${app.name}/ and commit the lockfile`,
          '     (--skip-install left it out; its CI and Dockerfile run `npm ci`).',
        ]
      : []),
  ];
}
