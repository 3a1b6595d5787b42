/**
 * What `new` reports: before writing (--dry-run) the answers it resolved, each repo as a folder
 * tree with counts and the steps it would take; after writing, what it wrote and the next steps.
 * As text, or as one JSON document (--json).
 */
import type { PlatformAnswers, ServiceAnswers } from '../lib/answers/table.ts';
import { EXIT_MEANINGS } from '../lib/errors.ts';
import { answerLines, folderTree } from '../lib/report.ts';
import type { NewRepo } from '../lib/repos/create.ts';

interface NewReport {
  command: 'new';
  dryRun: boolean;
  exitCode: 0;
  meaning: string;
  workspace: string;
  answers: { platform: PlatformAnswers; service: ServiceAnswers };
  repos: { name: string; files: string[] }[];
  /** What the run does, in order (a dry run: would do). */
  steps: string[];
  nextSteps: string[];
}

interface NewRun {
  repos: NewRepo[];
  workspace: string;
  platform: PlatformAnswers;
  service: ServiceAnswers;
  dryRun: boolean;
  skipInstall: boolean;
  skipGit: boolean;
  /** Who the commits are by; `fallback` when git has no identity. */
  author: { name: string; email: string; fallback: boolean };
}

function steps(run: NewRun): string[] {
  const total = run.repos.reduce((n, r) => n + r.files.length, 0);
  const app = run.repos.find((r) => r.prepare)?.name ?? run.service.name;
  const identity = `${run.author.name} <${run.author.email}>`;
  return [
    `Write ${total} files into a hidden staging folder in ${run.workspace}.`,
    run.skipInstall
      ? `No package-lock.json for ${app}/ (--skip-install).`
      : `Resolve ${app}/package-lock.json with npm install --package-lock-only (no node_modules, no scripts).`,
    run.skipGit
      ? 'No git repositories (--skip-git).'
      : `git init each repo on main and make its one commit as ${identity}` +
        `${run.author.fallback ? ' (git has no user.name/user.email here)' : ''}.`,
    `Move ${run.repos.map((r) => `${r.name}/`).join(', ')} into ${run.workspace}, all or none.`,
  ];
}

function nextSteps(run: NewRun): string[] {
  return [
    'Create the three repositories on GitHub, push each one (infra first, then gitops, then the service) and set them up as their READMEs say ("Repository settings", "CI setup").',
    'Follow the infra README: bootstrap, then apply each environment; Argo CD then syncs the GitOps repo.',
    'Merge to the service repo main: CI builds, pushes to ECR and opens a deploy pull request in the GitOps repo, which merges itself once its checks pass.',
    ...(run.skipInstall
      ? [
          'Before pushing the service repo: run `npm install --package-lock-only` in it and commit the package-lock.json (--skip-install left it out; its CI and Dockerfile run `npm ci`).',
        ]
      : []),
    ...(run.author.fallback && !run.skipGit
      ? [
          'git has no identity here, so the commits are by a placeholder: set user.name and user.email, then `git commit --amend --reset-author --no-edit` in each repo.',
        ]
      : []),
  ];
}

export function newReport(run: NewRun): NewReport {
  return {
    command: 'new',
    dryRun: run.dryRun,
    exitCode: 0,
    meaning: EXIT_MEANINGS[0],
    workspace: run.workspace,
    answers: { platform: run.platform, service: run.service },
    repos: run.repos.map((r) => ({ name: r.name, files: r.files.map((f) => f.path) })),
    steps: steps(run),
    nextSteps: nextSteps(run),
  };
}

/** The report as text: the plan of a dry run, or what was written and what to do next. */
export function newText(report: NewReport): string[] {
  const total = report.repos.reduce((n, r) => n + r.files.length, 0);
  const numbered = (items: string[]) => items.map((item, i) => `  ${i + 1}. ${item}`);
  if (report.dryRun) {
    return [
      'Answers:',
      ...answerLines(report.answers.platform, report.answers.service),
      '',
      `Would write ${total} files in ${report.repos.length} repos under ${report.workspace}:`,
      ...report.repos.flatMap((repo) => [`${repo.name}/  ${repo.files.length} files`, ...folderTree(repo.files)]),
      '',
      'Steps:',
      ...numbered(report.steps),
      '',
      'Dry run: nothing was written.',
    ];
  }
  return [
    `Wrote ${total} files in ${report.repos.length} repos under ${report.workspace}:`,
    ...report.repos.map((repo) => `  ${repo.name}/  ${repo.files.length} files`),
    '',
    'Next steps:',
    ...numbered(report.nextSteps),
  ];
}
