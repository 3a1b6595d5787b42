import { basename } from 'node:path';
import type { Flags } from '../lib/answers/table.ts';
import { checkGiven, checkServices, completePlatform } from '../lib/answers/validate.ts';
import { readGiven } from '../lib/answers/yeoman.ts';
import { CommandGenerator, type CommandOptions } from '../lib/command-generator.ts';
import { UsageError } from '../lib/errors.ts';
import { reposAround } from '../lib/repos/locate.ts';
import { recordedAnswers } from '../lib/repos/state.ts';
import { checkAnswerChange, type Destruction, destructionLines, differingAnswers } from './answer-changes.ts';
import { upgradeCommand } from './command.ts';
import { applyUpgrades, checkClean, hasWork, planUpgrades, type RepoUpgrade } from './plan.ts';
import { replay, replayHere } from './replay.ts';
import { summaryLines } from './report.ts';

const EXIT_PENDING = 2;
const EXIT_CONFLICTS = 3;

export default class UpgradeGenerator extends CommandGenerator {
  private flags: Flags = {};
  private plans: RepoUpgrade[] = [];
  /** Fields whose recorded values differ between the repos. */
  private differing: string[] = [];
  /** Destructive answer changes allowed by --allow-destroy. */
  private destructions: Destruction[] = [];

  constructor(args?: string[], options?: CommandOptions) {
    super(args, options, upgradeCommand);
  }

  initializing(): void {
    const { flags, given } = readGiven(this, upgradeCommand);
    this.flags = flags;
    const overrides = checkGiven(given);
    const inputs = reposAround(this.destinationRoot()).map((repo) => {
      const { platform, services } = recordedAnswers(repo.state);
      // The changed answers pass every rule again, including those across answers.
      const target = completePlatform({ ...platform, ...overrides }, false);
      checkServices(services, target);
      return { repo, recorded: { answers: platform, services }, target };
    });
    // Repos of one workspace that record different answers (one upgraded alone) stay different
    // unless the command line sets the field for all of them.
    this.differing = differingAnswers(inputs.map((i) => ({ name: basename(i.repo.dir), answers: i.target })));
    if (this.differing.length > 0 && !flags.dryRun && !flags.check) {
      throw new UsageError(
        [
          'The repos record different answers; pass the flag of each field to choose one value for all of them (nothing was written):',
          ...this.differing.map((line) => `  - ${line}`),
        ].join('\n'),
      );
    }
    const found = new Map<string, Destruction>();
    for (const input of inputs) {
      // A dry run writes nothing, so it shows a destructive change without asking for consent.
      const consent = Boolean(flags.allowDestroy || flags.dryRun || flags.check);
      for (const d of checkAnswerChange(input.recorded.answers, input.target, consent)) {
        found.set(d.what, d);
      }
    }
    this.destructions = [...found.values()];
    this.plans = planUpgrades(inputs, replay, replayHere);
    if (!flags.dryRun && !flags.check) checkClean(this.plans);
  }

  async writing(): Promise<void> {
    const pending = this.plans.filter(hasWork);
    this.say(summaryLines(this.plans, this.destinationRoot()));
    if (this.differing.length > 0) {
      this.say([
        'The repos record different answers (pass the flag of each field to choose one value):',
        ...this.differing.map((line) => `  - ${line}`),
      ]);
    }
    if (this.destructions.length > 0) {
      this.say([
        `This change destroys infrastructure${this.flags.allowDestroy ? '' : ' (applying it needs --allow-destroy)'}; in AWS, in this order:`,
        ...destructionLines(this.destructions),
      ]);
    }
    const conflicts = this.plans.reduce((n, p) => n + p.changes.filter((c) => c.action === 'conflict').length, 0);
    if (this.flags.dryRun || this.flags.check) {
      const behind = pending.length > 0 || this.differing.length > 0;
      this.say([behind ? 'Pending changes; nothing was written.' : 'Up to date.']);
      if (behind) process.exitCode = EXIT_PENDING;
      return;
    }
    if (pending.length === 0) {
      this.say(['Up to date: nothing to do.']);
      return;
    }
    if (this.flags.commit && conflicts > 0) {
      throw new UsageError(
        `Refusing to commit: the upgrade leaves ${conflicts} conflict(s). Nothing was written. ` +
          'Run it without --commit, resolve the conflicts, then commit.',
      );
    }
    await applyUpgrades(pending, { commit: Boolean(this.flags.commit) });
    if (conflicts > 0) {
      const marked = this.plans.flatMap((p) => p.changes.filter((c) => c.action === 'conflict' && c.stages)).length;
      if (marked > 0) {
        this.say([
          `${marked} conflict(s) left for you: resolve the markers, \`git add\` the files, then commit. ` +
            '`git status` lists them as unmerged.',
        ]);
      }
      if (conflicts > marked) {
        this.say([
          `${conflicts - marked} file(s) differ from what was generated and from what this version generates, and ` +
            'without the recorded version there is no base to merge them: they were left as they are. Bring the ' +
            'template changes into them by hand; until then the recorded version stays and upgrade lists them.',
        ]);
      }
      process.exitCode = EXIT_CONFLICTS;
    } else
      this.say([
        this.flags.commit ? 'Upgraded and committed.' : 'Upgraded; review with `git diff --cached` and commit.',
      ]);
  }
}
