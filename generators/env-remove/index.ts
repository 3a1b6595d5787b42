/**
 * `yo gitops-platform:env-remove <name>` / `gitops-platform env remove <name> --allow-destroy`: an
 * environment out of the infra, GitOps and app repos, on a remove-env-<name> branch of each, with the
 * steps that must happen in AWS first (lib/environment-generator.ts does the work; plan.ts decides
 * the answers, report.ts the steps).
 */
import type { CommandOptions } from '../lib/command-generator.ts';
import { EnvironmentGenerator } from '../lib/environment-generator.ts';
import { envRemoveCommand } from './command.ts';
import { removedEnvironment } from './plan.ts';
import { envRemoveSteps } from './report.ts';

export default class RemoveEnvironmentGenerator extends EnvironmentGenerator {
  constructor(args?: string[], options?: CommandOptions) {
    super(args, options, envRemoveCommand, {
      command: 'env remove',
      branch: (name) => `remove-env-${name}`,
      answers: removedEnvironment,
      consent: (flags) => Boolean(flags.allowDestroy),
      describe: (name) => ({
        message: `feat!: remove environment ${name}`,
        doing: `remove the environment ${name} from`,
        touches: 'the lines the removal changes',
      }),
      steps: (run) => {
        const removal = run.destructions.find((d) => d.what === `environment ${run.name} is removed`);
        if (!removal) throw new Error(`no removal steps for ${run.name}`);
        return envRemoveSteps(run.before, run.name, removal, run.repos, run.committed);
      },
    });
  }
}
