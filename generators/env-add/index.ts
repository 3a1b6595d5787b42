/**
 * `yo gitops-platform:env-add <name>` / `gitops-platform env add <name>`: a new environment across
 * the infra, GitOps and app repos, on an add-env-<name> branch of each (lib/environment-generator.ts
 * does the work; plan.ts decides the answers, report.ts the steps).
 */
import type { CommandOptions } from '../lib/command-generator.ts';
import { EnvironmentGenerator } from '../lib/environment-generator.ts';
import { envAddCommand } from './command.ts';
import { addedEnvironment } from './plan.ts';
import { envAddSteps } from './report.ts';

export default class AddEnvironmentGenerator extends EnvironmentGenerator {
  constructor(args?: string[], options?: CommandOptions) {
    super(args, options, envAddCommand, {
      command: 'env add',
      branch: (name) => `add-env-${name}`,
      answers: addedEnvironment,
      // Adding destroys nothing; the other rules of an answer change (a Kubernetes jump) still apply.
      consent: () => false,
      describe: (name) => ({
        message: `feat: add environment ${name}`,
        doing: `add the environment ${name} to`,
        touches: 'the lines the new environment changes',
      }),
      steps: (run) => envAddSteps(run.before, run.after, run.name, run.repos, run.committed),
    });
  }
}
