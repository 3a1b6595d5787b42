/** `gitops-platform new` / `yo gitops-platform`: its options and help. */
import { answerKeys, type CommandSpec } from '../lib/answers/table.ts';

export const newCommand = {
  name: 'new',
  summary: 'Generate <org>-infra, <org>-gitops and the first service repo in one workspace folder',
  usage: 'gitops-platform new [options]',
  namespace: 'gitops-platform:app',
  options: [...answerKeys, 'answers', 'defaults', 'output', 'dryRun', 'skipGit', 'skipInstall', 'interactive', 'json'],
} as const satisfies CommandSpec;
