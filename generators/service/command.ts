/** `gitops-platform service <name>` / `yo gitops-platform:service <name>`: its options and help. */
import type { CommandSpec } from '../lib/answers/table.ts';

export const serviceCommand = {
  name: 'service',
  summary: 'Add a service: its app repo, plus a branch with one commit in the infra and GitOps repos',
  usage: 'gitops-platform service <name> [options]',
  namespace: 'gitops-platform:service',
  positionals: ['name'],
  // The name is the positional argument; port is the service's other answer.
  options: ['port', 'infra', 'gitops', 'output', 'currentBranch', 'commit', 'dryRun', 'diff', 'skipInstall', 'json'],
  help: {
    commit: ['--no-commit', 'Leave the changes in the infra and GitOps repos staged, not committed'],
    output: ['--output <value>', 'Folder that receives the new app repo (default: the workspace of the GitOps repo)'],
  },
} as const satisfies CommandSpec;
