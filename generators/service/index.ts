/**
 * `yo gitops-platform:service <name>` / `gitops-platform service <name>`: adds a service across the
 * three repos. The plan (plan.ts) is made and checked before anything is written; the
 * infra and GitOps changes and the new app repo then land as one transaction.
 */
import { basename, dirname, relative } from 'node:path';
import type { Flags } from '../lib/answers/table.ts';
import { CommandGenerator, type CommandOptions } from '../lib/command-generator.ts';
import { renderRepo } from '../lib/render/render.ts';
import { assertAbsent, type NewRepo, newRepo, stageRepos } from '../lib/repos/create.ts';
import { checkFolder, type FolderOption, removeStaleStaging } from '../lib/repos/folders.ts';
import { currentBranch } from '../lib/repos/git.ts';
import { atDefaultBranch, findRepo } from '../lib/repos/locate.ts';
import { applyChanges, checkRepos } from '../lib/repos/transaction.ts';
import { generatorId } from '../lib/version.ts';
import { serviceCommand } from './command.ts';
import { planServiceAdd, type ServicePlan } from './plan.ts';
import { type Landing, serviceReport, serviceText } from './report.ts';

export default class AddServiceGenerator extends CommandGenerator {
  private flags: Flags = {};
  private plan?: ServicePlan;
  private app?: NewRepo;
  private workspace = '';
  /** Where the new app repo goes, as users named it (--output, or the GitOps repo's folder). */
  private folder: FolderOption = { option: '--output', given: '.' };
  /** The add-service-<name> branch of the infra and GitOps repos; undefined with --current-branch. */
  private branch?: string;
  /** Where the change lands in the infra and GitOps repos. */
  private where: Landing[] = [];

  constructor(args?: string[], options?: CommandOptions) {
    super(args, options, serviceCommand);
    // Not required here: argv.ts checks the arguments and prints the usage when the name is missing.
    this.argument('name', { type: String, required: false, description: 'Name of the new service (DNS label)' });
  }

  initializing(): void {
    const { flags, given, positionals } = this.readCommandLine();
    this.flags = flags;
    const [name] = positionals;
    this.branch = flags.currentBranch ? undefined : `add-service-${name}`;
    const cwd = this.destinationRoot();
    const found = [findRepo('infra', cwd, flags.infra), findRepo('gitops', cwd, flags.gitops)];
    // Dirty trees are refused before planning reads them (their edits would look like conflicts).
    checkRepos(
      found.map((r) => ({ name: basename(r.dir), dir: r.dir })),
      { branch: this.branch, commit: true },
    );
    // A new branch starts from the default branch, whatever is checked out (a second add must not
    // stack on the first one's branch); --current-branch works on what is checked out.
    const [infra, gitops] = this.branch ? found.map(atDefaultBranch) : found;
    this.where = [infra, gitops].map((repo) => {
      const from = repo.startPoint ?? currentBranch(repo.dir);
      return { branch: this.branch ?? from, from, created: this.branch !== undefined };
    });
    this.plan = planServiceAdd(infra, gitops, { service: name, port: given.port }, generatorId);
    this.folder = flags.output
      ? { option: '--output', given: flags.output }
      : { option: 'the workspace of the GitOps repo', given: relative(cwd, dirname(gitops.dir)) || '.' };
    this.workspace = checkFolder(cwd, this.folder);
    const rendered = renderRepo(this.plan.model, 'app', this.plan.service.name);
    this.app = newRepo(rendered, this.plan.platform, this.plan.services, { skipInstall: flags.skipInstall });
    assertAbsent(this.workspace, [this.app]);
  }

  async writing(): Promise<void> {
    if (this.flags.dryRun) return;
    const plan = this.plan as ServicePlan;
    const app = this.app as NewRepo;
    for (const stale of removeStaleStaging(this.workspace)) {
      this.log(`Removed ${stale}, left by a run that was killed.`);
    }
    // The new app repo is staged and committed first, and moved into place last, inside the transaction.
    const staged = await stageRepos(this.workspace, [app], { git: true, folder: this.folder });
    try {
      await applyChanges(
        plan.changes,
        { branch: this.branch, commit: this.flags.commit !== false },
        { apply: () => staged.moveIn(), undo: () => staged.moveOut() },
      );
    } finally {
      staged.discard();
    }
  }

  end(): void {
    const report = serviceReport({
      plan: this.plan as ServicePlan,
      app: this.app as NewRepo,
      where: this.where,
      dryRun: Boolean(this.flags.dryRun),
      committed: this.flags.commit !== false,
      skipInstall: Boolean(this.flags.skipInstall),
      diff: Boolean(this.flags.diff),
    });
    this.report(report, serviceText(report));
  }
}
