/** What `new` tells the user: the files of a dry run, or what it wrote and what to do next. */
import type { NewRepo } from '../lib/repos/create.ts';

export function dryRunLines(repos: NewRepo[]): string[] {
  return [
    ...repos.flatMap((repo) => [`${repo.name}/ (${repo.files.length} files)`, ...repo.files.map((f) => `  ${f.path}`)]),
    'Dry run: nothing was written.',
  ];
}

export function doneLines(repos: NewRepo[], workspace: string, skipInstall: boolean): string[] {
  const total = repos.reduce((n, r) => n + r.files.length, 0);
  return [
    `Wrote ${total} files in ${repos.length} repos under ${workspace}:`,
    ...repos.map((repo) => `  ${repo.name}/  ${repo.files.length} files`),
    '',
    'Next steps:',
    '  1. Create the three repositories on GitHub and push each one (infra first, then gitops, then the service).',
    '  2. Follow the infra README: bootstrap, then apply each environment; Argo CD then syncs the GitOps repo.',
    '  3. Merge to the service repo main: CI builds, pushes to ECR and sets the image in the GitOps repo.',
    ...(skipInstall
      ? [
          '  Before pushing the service repo: run `npm install --package-lock-only` in it and commit the',
          '  package-lock.json (--skip-install left it out; its CI and Dockerfile run `npm ci`).',
        ]
      : []),
  ];
}
