/**
 * What `service` reports: its plan (--dry-run) with one line per file and its action, and with
 * --diff a unified diff of each; or what it changed and the next steps, which follow the flags
 * (a pull request, a push of the branch checked out, a commit still to make). As text, or as one
 * JSON document (--json).
 */
import type { ServiceAnswers } from '../lib/answers/table.ts';
import { EXIT_MEANINGS } from '../lib/errors.ts';
import { type Landing, landingText, pushStep, type ReportedFile, reportedFile } from '../lib/report.ts';
import type { NewRepo } from '../lib/repos/create.ts';
import type { ServicePlan } from './plan.ts';

export type { Landing };

interface ServiceReport {
  command: 'service';
  dryRun: boolean;
  exitCode: 0;
  meaning: string;
  service: ServiceAnswers;
  repos: ({ name: string; files: ReportedFile[] } & ({ new: true } | ({ new: false; committed: boolean } & Landing)))[];
  nextSteps: string[];
}

interface ServiceRun {
  plan: ServicePlan;
  app: NewRepo;
  where: Landing[];
  dryRun: boolean;
  committed: boolean;
  skipInstall: boolean;
  diff: boolean;
}

function nextSteps(run: ServiceRun): string[] {
  const { plan, app, where } = run;
  const [infra, gitops] = plan.summary;
  return [
    ...(run.committed
      ? []
      : [
          `Review the staged changes in ${infra.repo} and ${gitops.repo} (\`git diff --cached\`) and commit each (--no-commit left them uncommitted).`,
        ]),
    `${pushStep(infra.repo, where[0], 'first')}: applying it creates the ECR repository, the CI role and the Pod Identity roles the service needs.`,
    `${pushStep(gitops.repo, where[1], 'after the infra apply')}, so Argo CD creates the namespace and service account that the Pod Identity association expects.`,
    `Create the GitHub repo ${plan.model.githubOwner}/${plan.service.name}, push ${app.name}/, set its variables and secrets (see its README), and run ${plan.model.oidc.configureScript} in ${infra.repo} (its CI role trusts it only with that OIDC claim template). Its first merge to main builds and deploys it.` +
      (run.skipInstall
        ? ` First run \`npm install --package-lock-only\` in ${app.name}/ and commit the lockfile (--skip-install left it out; its CI and Dockerfile run \`npm ci\`).`
        : ''),
  ];
}

export function serviceReport(run: ServiceRun): ServiceReport {
  return {
    command: 'service',
    dryRun: run.dryRun,
    exitCode: 0,
    meaning: EXIT_MEANINGS[0],
    service: run.plan.service,
    repos: [
      {
        name: run.app.name,
        new: true,
        files: run.app.files.map((f) => reportedFile({ path: f.path, action: 'add', after: f.content }, run.diff)),
      },
      ...run.plan.summary.map((part, n) => ({
        name: part.repo,
        new: false as const,
        committed: run.committed,
        ...run.where[n],
        files: part.files.map((f) => reportedFile(f, run.diff)),
      })),
    ],
    nextSteps: nextSteps(run),
  };
}

/** The report as text: the plan of a dry run, or what changed and what to do next. */
export function serviceText(report: ServiceReport): string[] {
  if (report.dryRun) {
    return [
      ...report.repos.flatMap((repo) => [
        `${repo.name}/ (${repo.new ? `new repo, ${repo.files.length} files` : landingText(repo)})`,
        ...repo.files.flatMap((file) => [
          `  ${file.action.padEnd(6)}  ${file.path}`,
          ...(file.diff ? [file.diff] : []),
        ]),
      ]),
      'Dry run: nothing was written.',
    ];
  }
  const count = (files: ReportedFile[], action: string) => files.filter((f) => f.action === action).length;
  return [
    `Added service ${report.service.name} (port ${report.service.port}):`,
    ...report.repos.map((repo) =>
      repo.new
        ? `  ${repo.name}/  new repo, ${repo.files.length} files, one commit`
        : `  ${repo.name}/  ${count(repo.files, 'add')} files added, ${count(repo.files, 'change')} changed on ` +
          `${landingText(repo)}${repo.committed ? ', one commit' : ', staged, not committed'}`,
    ),
    ...report.repos.flatMap((repo) => repo.files.flatMap((file) => (file.diff ? [file.diff] : []))),
    '',
    'Next steps:',
    ...report.nextSteps.map((step, i) => `  ${i + 1}. ${step}`),
  ];
}
