/**
 * The answers after `env remove <name>`: the environment gone from the order, its account and
 * Kubernetes version entries with it; its VPC CIDR stays recorded, so no environment gets it again.
 * The first environment (merges deploy to it) and production go only when their neighbour is named
 * to take the role (--successor), and two environments at least remain. Writes nothing.
 */
import type { Flags, PlatformAnswers } from '../lib/answers/table.ts';
import { completePlatform } from '../lib/answers/validate.ts';
import { UsageError } from '../lib/errors.ts';

export function removedEnvironment(from: PlatformAnswers, name: string, flags: Flags): PlatformAnswers {
  const envs = from.environments;
  const index = envs.indexOf(name);
  if (index < 0) throw new UsageError(`${name} is not an environment (${envs.join(', ')}); nothing was written.`);
  if (envs.length <= 2) {
    throw new UsageError(
      `Removing ${name} would leave one environment; a platform has at least two (one merges deploy to, and production). ` +
        'Add another first (`gitops-platform env add`); nothing was written.',
    );
  }
  const role = index === 0 ? 'first' : index === envs.length - 1 ? 'production' : undefined;
  const heir = role === 'first' ? envs[1] : role === 'production' ? envs[envs.length - 2] : undefined;
  if (role && flags.successor !== heir) {
    const what = role === 'first' ? 'the environment every merge deploys to' : 'production';
    throw new UsageError(
      `${name} is ${what}; ${heir} would take that role. Say so with --successor ${heir}` +
        `${flags.successor !== undefined ? ` (not ${flags.successor})` : ''}; nothing was written.`,
    );
  }
  if (!role && flags.successor !== undefined) {
    throw new UsageError(
      `--successor: ${name} is neither the first environment nor production, so no environment takes its role; nothing was written.`,
    );
  }
  const without = <T>(map: Record<string, T> | undefined) =>
    Object.fromEntries(Object.entries(map ?? {}).filter(([env]) => env !== name));
  return completePlatform(
    {
      ...from,
      environments: envs.filter((e) => e !== name),
      accounts: without(from.accounts),
      kubernetesVersions: without(from.kubernetesVersions),
    },
    false,
  );
}
