/** `gitops-platform service remove <name>` / `yo gitops-platform:service-remove <name>`: its options and help. */
import type { CommandSpec } from '../lib/answers/table.ts';

export const serviceRemoveCommand = {
  name: 'service remove',
  summary:
    'Remove a service, one step per run (each prints the next): a branch with one commit in the infra and GitOps repos',
  usage: 'gitops-platform service remove <name> [--purge-images] [--allow-destroy] [options]',
  namespace: 'gitops-platform:service-remove',
  positionals: ['name'],
  options: ['allowDestroy', 'purgeImages', 'infra', 'gitops', 'currentBranch', 'commit', 'dryRun', 'diff', 'json'],
  help: {
    allowDestroy: [
      '--allow-destroy',
      'Consent: the steps that delete the service (its workloads in every environment, its roles) or its images need it',
    ],
    commit: ['--no-commit', 'Leave the changes staged, not committed'],
    currentBranch: [
      '--current-branch',
      'Commit on the current branch of the infra and GitOps repos instead of a new branch named after the step',
    ],
  },
} as const satisfies CommandSpec;
