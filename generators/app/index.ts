/**
 * `yo gitops-platform` / `gitops-platform new`: a new platform. Collects answers, renders the three
 * repos with the pure renderer and hands them to the workspace writer (lib/repos/create.ts).
 */
import {
  type AnswerKey,
  answerKeys,
  answerSpec,
  type Flags,
  type PlatformAnswers,
  type ServiceAnswers,
} from '../lib/answers/table.ts';
import { checkGiven, completeAnswers, defaultFor, type RawAnswers } from '../lib/answers/validate.ts';
import { questionFor } from '../lib/answers/yeoman.ts';
import { CommandGenerator, type CommandOptions } from '../lib/command-generator.ts';
import { buildModel } from '../lib/model.ts';
import { renderWorkspace } from '../lib/render/render.ts';
import { assertAbsent, createRepos, type NewRepo, newRepo } from '../lib/repos/create.ts';
import { checkFolder, removeStaleStaging } from '../lib/repos/folders.ts';
import { commitAuthor } from '../lib/repos/git.ts';
import { generatorId } from '../lib/version.ts';
import { newCommand } from './command.ts';
import { newReport, newText } from './report.ts';

export default class NewPlatformGenerator extends CommandGenerator {
  private flags: Flags = {};
  private given: RawAnswers = {};
  /** The given answers, checked and typed (prompt defaults are computed from them). */
  private known: Record<string, unknown> = {};
  private repos: NewRepo[] = [];
  private workspace = '';
  private answers?: { platform: PlatformAnswers; service: ServiceAnswers };

  constructor(args?: string[], options?: CommandOptions) {
    super(args, options, newCommand);
  }

  initializing(): void {
    ({ flags: this.flags, given: this.given } = this.readCommandLine());
    this.known = checkGiven(this.given);
  }

  async prompting(): Promise<void> {
    // --json is for scripts: it asks nothing unless --interactive says so.
    const interactive = this.flags.interactive ?? (Boolean(process.stdin.isTTY) && !this.json);
    if (this.flags.defaults || !interactive) return;
    // Ask, one at a time and in table order, only for answers that were not given.
    const known = this.known;
    for (const key of answerKeys.filter((k: AnswerKey) => this.given[k] === undefined && answerSpec(k).prompt)) {
      // biome-ignore lint/suspicious/noExplicitAny: Yeoman's question type is a union per prompt type.
      const answer = await this.prompt([questionFor(key, defaultFor(key, known, false)) as any]);
      const value = (answer as Record<string, unknown>)[key];
      if (value === '' && answerSpec(key).optional) continue;
      this.given[key] = value;
      Object.assign(known, checkGiven({ [key]: value }));
    }
  }

  configuring(): void {
    const { platform, service } = completeAnswers(this.given, Boolean(this.flags.defaults));
    const model = buildModel(platform, [service], generatorId);
    this.workspace = checkFolder(this.destinationRoot(), this._outputFolder());
    this.repos = renderWorkspace(model).map((rendered) =>
      newRepo(rendered, platform, [service], { skipInstall: this.flags.skipInstall }),
    );
    assertAbsent(this.workspace, this.repos);
    this.answers = { platform, service };
  }

  async writing(): Promise<void> {
    if (this.flags.dryRun) return;
    for (const stale of removeStaleStaging(this.workspace)) {
      this.log(`Removed ${stale}, left by a run that was killed.`);
    }
    await createRepos(this.workspace, this.repos, { git: !this.flags.skipGit, folder: this._outputFolder() });
  }

  end(): void {
    const report = newReport({
      repos: this.repos,
      workspace: this.workspace,
      ...(this.answers as { platform: PlatformAnswers; service: ServiceAnswers }),
      dryRun: Boolean(this.flags.dryRun),
      skipInstall: Boolean(this.flags.skipInstall),
      skipGit: Boolean(this.flags.skipGit),
      author: commitAuthor(),
    });
    this.report(report, newText(report));
  }

  private _outputFolder() {
    return { option: '--output', given: this.flags.output ?? '.' };
  }
}
