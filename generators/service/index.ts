/**
 * `yo gitops-platform:service <name>` / `gitops-platform service <name>`: adds a service across the
 * three repos. The plan (plan.ts) is made and checked before anything is written; the
 * infra and GitOps changes and the new app repo then land as one transaction.
 */
import { basename, dirname, resolve } from 'node:path';
import Generator from 'yeoman-generator';
import type { CommandOptions } from '../app/index.ts';
import type { Flags } from '../lib/answers/table.ts';
import { declareOptions, readGiven } from '../lib/answers/yeoman.ts';
import { renderRepo } from '../lib/render/render.ts';
import { assertAbsent, type NewRepo, newRepo, stageRepos } from '../lib/repos/create.ts';
import { findRepo } from '../lib/repos/locate.ts';
import { applyChanges, checkRepos } from '../lib/repos/transaction.ts';
import { generatorId } from '../lib/version.ts';
import { serviceCommand } from './command.ts';
import { planServiceAdd, type ServicePlan } from './plan.ts';

export default class AddServiceGenerator extends Generator<CommandOptions> {
  private flags: Flags = {};
  private plan?: ServicePlan;
  private app?: NewRepo;
  private workspace = '';

  constructor(args?: string[], options?: CommandOptions) {
    super(args, options as CommandOptions, { customInstallTask: true });
    this.argument('name', { type: String, required: true, description: 'Name of the new service (DNS label)' });
    declareOptions(this, serviceCommand);
  }

  initializing(): void {
    const { flags, given } = readGiven(this.options, serviceCommand);
    this.flags = flags;
    const cwd = this.destinationRoot();
    const infra = findRepo('infra', cwd, flags.infra);
    const gitops = findRepo('gitops', cwd, flags.gitops);
    // Dirty trees are refused before planning reads them (their edits would look like conflicts).
    checkRepos(
      [infra, gitops].map((r) => ({ name: basename(r.dir), dir: r.dir })),
      {
        branch: flags.currentBranch
          ? undefined
          : `add-service-${String((this.options as Record<string, unknown>).name)}`,
        commit: true,
      },
    );
    this.plan = planServiceAdd(
      infra,
      gitops,
      { service: (this.options as Record<string, unknown>).name, port: given.port },
      generatorId,
    );
    this.workspace = resolve(cwd, flags.output ?? dirname(gitops.dir));
    const rendered = renderRepo(this.plan.model, 'app', this.plan.service.name);
    this.app = newRepo(rendered, this.plan.platform, this.plan.services, { skipInstall: flags.skipInstall });
    assertAbsent(this.workspace, [this.app]);
  }

  async writing(): Promise<void> {
    const plan = this.plan as ServicePlan;
    const app = this.app as NewRepo;
    const branch = this.flags.currentBranch ? undefined : `add-service-${plan.service.name}`;
    if (this.flags.dryRun) {
      this.log(`${app.name}/ (new repo, ${app.files.length} files)`);
      for (const { repo, added, changed } of plan.summary) {
        this.log(`${repo}/ (${branch ? `branch ${branch}` : 'current branch'})`);
        for (const path of added) this.log(`  add     ${path}`);
        for (const path of changed) this.log(`  change  ${path}`);
      }
      this.log('Dry run: nothing was written.');
      return;
    }
    // The new app repo is staged and committed first, and moved into place last, inside the transaction.
    const staged = await stageRepos(this.workspace, [app], { git: true });
    try {
      applyChanges(plan.changes, { branch, commit: this.flags.commit !== false }, () => staged.moveIn());
    } finally {
      staged.discard();
    }
  }

  end(): void {
    if (this.flags.dryRun) return;
    const plan = this.plan as ServicePlan;
    const [infra, gitops] = plan.summary;
    const branch = this.flags.currentBranch ? undefined : `add-service-${plan.service.name}`;
    const committed = this.flags.commit !== false;
    this.log(`Added service ${plan.service.name} (port ${plan.service.port}):`);
    this.log(`  ${this.app?.name}/  new repo, ${this.app?.files.length} files, one commit`);
    for (const part of plan.summary) {
      this.log(
        `  ${part.repo}/  ${part.added.length} files added, ${part.changed.length} changed` +
          `${branch ? ` on branch ${branch}` : ''}${committed ? ', one commit' : ', staged, not committed'}`,
      );
    }
    this.log('');
    this.log('Next steps:');
    this.log(`  1. Push ${infra.repo}${branch ? ` (${branch})` : ''} and open its pull request. Merge it first:`);
    this.log('     applying it creates the ECR repository, the CI role and the Pod Identity roles the service needs.');
    this.log(
      `  2. Push ${gitops.repo}${branch ? ` (${branch})` : ''} and open its pull request; merge it after the infra apply,`,
    );
    this.log('     so Argo CD creates the namespace and service account that the Pod Identity association expects.');
    this.log(
      `  3. Create the GitHub repo ${plan.model.githubOwner}/${plan.service.name}, push ${this.app?.name}/, and set its`,
    );
    this.log('     variables and secrets (see its README). Its first merge to main builds and deploys it.');
    if (this.flags.skipInstall) {
      this.log(`     First run \`npm install --package-lock-only\` in ${this.app?.name}/ and commit the lockfile`);
      this.log('     (--skip-install left it out; its CI and Dockerfile run `npm ci`).');
    }
  }
}
