/** What `service` tells the user: the files of a dry run, or what it changed and the merge order. */
import type { NewRepo } from '../lib/repos/create.ts';
import type { ServicePlan } from './plan.ts';

/** Where a repo's change lands: its branch, and the branch it started from (a pull request's base). */
export interface Landing {
  branch: string;
  from: string;
  /** The branch is made by this command (not --current-branch). */
  created: boolean;
}

function whereText(where: Landing): string {
  return where.created ? `new branch ${where.branch} from ${where.from}` : `branch ${where.branch}`;
}

export function dryRunLines(plan: ServicePlan, app: NewRepo, where: Landing[]): string[] {
  return [
    `${app.name}/ (new repo, ${app.files.length} files)`,
    ...app.files.map((file) => `  add     ${file.path}`),
    ...plan.summary.flatMap(({ repo, added, changed }, n) => [
      `${repo}/ (${whereText(where[n])})`,
      ...added.map((path) => `  add     ${path}`),
      ...changed.map((path) => `  change  ${path}`),
    ]),
    'Dry run: nothing was written.',
  ];
}

/** Pushing a repo's change: a branch with a pull request to merge `when`, or a push of `when` itself. */
function push(repo: string, where: Landing, when: string): string {
  return where.branch === where.from
    ? `Push ${repo} (${where.branch}) ${when}`
    : `Push ${repo} (branch ${where.branch}) and open its pull request into ${where.from}; merge it ${when}`;
}

export function doneLines(
  plan: ServicePlan,
  app: NewRepo,
  options: { where: Landing[]; committed: boolean; skipInstall: boolean },
): string[] {
  const { where, committed } = options;
  const [infra, gitops] = plan.summary;
  return [
    `Added service ${plan.service.name} (port ${plan.service.port}):`,
    `  ${app.name}/  new repo, ${app.files.length} files, one commit`,
    ...plan.summary.map(
      (part, n) =>
        `  ${part.repo}/  ${part.added.length} files added, ${part.changed.length} changed on ${whereText(where[n])}` +
        `${committed ? ', one commit' : ', staged, not committed'}`,
    ),
    '',
    'Next steps:',
    ...(committed
      ? []
      : [
          `  0. Review the staged changes in ${infra.repo} and ${gitops.repo} (\`git diff --cached\`) and commit`,
          '     each (--no-commit left them uncommitted); then:',
        ]),
    `  1. ${push(infra.repo, where[0], 'first')}:`,
    '     applying it creates the ECR repository, the CI role and the Pod Identity roles the service needs.',
    `  2. ${push(gitops.repo, where[1], 'after the infra apply')},`,
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
