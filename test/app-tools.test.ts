/**
 * @tools: the application repo, rendered for both answer sets and put through what its own CI does:
 * the lockfile as the generator makes it (npm install --package-lock-only), npm ci, npm test, npm run lint and
 * npm run build; the built server drained under load; hadolint, actionlint (with shellcheck) and
 * zizmor; the workflow's security properties; its deploy step against the rendered GitOps repo; and,
 * when a Docker engine is reachable, the image built on local stand-in base images and run.
 * npm needs the registry. A missing tool skips locally with a visible reason and fails with CI=true.
 * APP_TEST_NODE=/path/to/node runs the drain test on another Node.js (the image's major, say).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { parse } from 'yaml';
import type { Model, Service } from '../generators/lib/model.ts';
import { pin } from '../generators/lib/pins.ts';
import { renderRepo } from '../generators/lib/render/render.ts';
import { writeFiles } from '../generators/lib/repos/files.ts';
import { writeLockfile } from '../generators/lib/repos/npm.ts';
import { freshStateFiles } from '../generators/lib/repos/state.ts';
import { generatorId } from '../generators/lib/version.ts';
import { addedServices, grownWorkspace } from './support/added-services.ts';
import { prepareDocker } from './support/docker.ts';
import { type DrainReport, drainTest, freePort } from './support/drain.ts';
import { cannotRun, excusableIt } from './support/skips.ts';
import { tempDir } from './support/temp.ts';
import { filesIn, requireTool, requireYq, run } from './support/tools.ts';
import { answerSets, answersFor, modelFor } from './support/workspace.ts';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;
const SOURCE_SHA = 'f'.repeat(40);
/** A GitHub Actions expression as it appears in the workflow. */
const expr = (inner: string) => `\${{ ${inner} }}`;

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}

interface Job {
  name?: string;
  if?: string;
  needs?: string | string[];
  permissions?: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  environment?: string;
  outputs?: Record<string, string>;
  'timeout-minutes'?: number;
  steps: Step[];
}

interface Workflow {
  on: Record<string, unknown>;
  concurrency?: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

/** npm with this machine's settings, minus anything the test runner injects into node. */
/** node --test's summary says real tests ran and all passed: none failed, skipped or left as todo. */
function assertTestsRan(stdout: string): void {
  const summary = Object.fromEntries(
    [...stdout.matchAll(/^ℹ (tests|pass|fail|skipped|todo|cancelled) (\d+)$/gm)].map((m) => [m[1], Number(m[2])]),
  );
  assert.ok(summary.tests > 0, `the app's test run reports no tests:\n${stdout}`);
  assert.deepEqual(
    summary,
    { tests: summary.tests, pass: summary.tests, fail: 0, cancelled: 0, skipped: 0, todo: 0 },
    stdout,
  );
}

function npm(cwd: string, args: string[], timeoutMs = 300_000) {
  return run('npm', args, { cwd, env: { NODE_OPTIONS: '' }, timeoutMs, check: true });
}

function git(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const identity = ['-c', 'user.name=test', '-c', 'user.email=test@example.com', '-c', 'init.defaultBranch=main'];
  return run('git', [...identity, ...args], { cwd, env, check: true }).stdout;
}

function step(job: Job, uses: string): Step {
  const found = job.steps.find((s) => s.uses?.startsWith(`${uses}@`));
  assert.ok(found, `a step uses ${uses}`);
  return found;
}

/** [200, 503, 503, 503, 'ECONNREFUSED'] -> "200, 503 x3, ECONNREFUSED" */
function runs(values: (number | string)[]): string {
  const out: string[] = [];
  for (let i = 0; i < values.length; ) {
    let j = i;
    while (j < values.length && values[j] === values[i]) j++;
    out.push(j - i > 1 ? `${values[i]} x${j - i}` : String(values[i]));
    i = j;
  }
  return out.join(', ');
}

function printDrain(label: string, r: DrainReport): void {
  const b = r.beforeSigterm;
  console.log(
    `      drain (${label}): ${r.sent} requests; before SIGTERM ${b.sent} sent, ${b.ok} ok ` +
      `(${b.inFlightAtSigterm} in flight at SIGTERM), ${b.failed.length} failed, ${b.notAccepted} not accepted ` +
      `(keep-alive race); after SIGTERM ${r.afterSigterm.sent} sent, ${r.afterSigterm.ok} ok, ` +
      `${r.afterSigterm.refused} refused, ${r.afterSigterm.other} other; /readyz after SIGTERM ` +
      `[${runs(r.readyzAfterSigterm)}]; exit ${r.exitCode ?? r.exitSignal} ${r.msFromSigtermToExit} ms after SIGTERM`,
  );
}

function assertDrained(r: DrainReport, expectReadiness503: boolean): void {
  const b = r.beforeSigterm;
  assert.equal(r.exitSignal, null, `killed by ${r.exitSignal}\n${r.stderr}`);
  assert.equal(r.exitCode, 0, `exit code\n${r.stderr}`);
  assert.ok(r.msFromSigtermToExit < 20_000, `exited ${r.msFromSigtermToExit} ms after SIGTERM`);
  assert.deepEqual(b.failed, [], 'no request sent before SIGTERM may fail, except ones the server never read');
  assert.deepEqual(r.acceptedButFailed, [], 'every request the server accepted got its 200');
  assert.ok(b.ok >= 40, `enough load before SIGTERM (${b.ok} ok)`);
  assert.ok(b.inFlightAtSigterm >= 5, `requests were in flight at SIGTERM (${b.inFlightAtSigterm})`);
  assert.ok(b.notAccepted <= 20, 'at most one keep-alive race per client');
  // Readiness never says "ready" again once it stopped saying so.
  const firstNotReady = r.readyzAfterSigterm.findIndex((s) => s !== 200);
  assert.ok(firstNotReady >= 0, `readiness went down: [${r.readyzAfterSigterm.join(', ')}]`);
  assert.ok(
    // 503 while draining; once the listener closes, a refused or reset connection (a probe that
    // raced the close) is just as much "not ready" to the kubelet.
    r.readyzAfterSigterm.slice(firstNotReady).every((s) => s === 503 || s === 'ECONNREFUSED' || s === 'ECONNRESET'),
    `[${r.readyzAfterSigterm.join(', ')}]`,
  );
  if (expectReadiness503) assert.ok(r.readyzAfterSigterm.includes(503), 'readiness answered 503 while draining');
  const messages = r.logs.map((l) => l.msg);
  assert.ok(messages.includes('shutdown started') && messages.includes('shutdown complete'), messages.join(', '));
}

for (const [set, { description }] of Object.entries(answerSets)) {
  describe(`@tools app repo (${set}: ${description})`, () => {
    let model: Model;
    let service: Service;
    let dir: string;
    let workflowText: string;
    let workflow: Workflow;

    before(async function () {
      this.timeout(300_000);
      model = modelFor(set as keyof typeof answerSets);
      service = model.services[0];
      dir = tempDir(`app-${set}`);
      // With its state files, exactly as `new` writes the repo (its linter must leave them alone).
      const rendered = renderRepo(model, 'app', service.name);
      const { platform, service: first } = answersFor(set as keyof typeof answerSets);
      writeFiles(dir, [...rendered.files, ...freshStateFiles(rendered, platform, [first], generatorId.version)]);
      workflowText = readFileSync(join(dir, '.github/workflows/ci.yaml'), 'utf8');
      workflow = parse(workflowText);
      // The generator's own step before the first commit (npm install --package-lock-only), then
      // what CI does first: npm ci from that lockfile. Every test below shares this install.
      await writeLockfile(dir);
      npm(dir, ['ci', '--no-audit', '--no-fund']);
    });

    after(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('passes npm ci (in before), npm test, npm run lint and npm run build', function () {
      this.timeout(300_000);
      assertTestsRan(npm(dir, ['test']).stdout);
      npm(dir, ['run', 'lint']);
      npm(dir, ['run', 'build']);
      const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8'));
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      assert.equal(pkg.name, service.name);
      assert.deepEqual(pkg.dependencies ?? {}, {}, 'no runtime dependency');
      for (const [name, version] of Object.entries(pkg.devDependencies as Record<string, string>)) {
        assert.equal(version, pin(`npm.${name}`), `${name} is pinned exactly from the pin table`);
        assert.equal(lock.packages[`node_modules/${name}`].version, version);
      }
    });

    // The defaults (readiness 503 for 1 s, then the listener closes), and no delay at all.
    for (const delayMs of [undefined, 0]) {
      const label = delayMs === undefined ? 'defaults' : `SHUTDOWN_DELAY_MS=${delayMs}`;
      it(`drains under load on SIGTERM (${label})`, async function () {
        this.timeout(60_000);
        if (!existsSync(join(dir, 'dist', 'server.js'))) npm(dir, ['run', 'build']);
        const report = await drainTest({
          cwd: dir,
          env: delayMs === undefined ? {} : { SHUTDOWN_DELAY_MS: String(delayMs) },
          node: process.env.APP_TEST_NODE || process.execPath,
        });
        printDrain(`${set}, ${label}`, report);
        assertDrained(report, delayMs === undefined);
      });
    }

    it('refuses a bad configuration at start: one JSON line listing every problem, exit 1', () => {
      if (!existsSync(join(dir, 'dist', 'server.js'))) npm(dir, ['run', 'build']);
      const result = run(process.env.APP_TEST_NODE || process.execPath, ['dist/server.js'], {
        cwd: dir,
        env: { NODE_OPTIONS: '', PORT: 'http', LOG_LEVEL: 'chatty' },
        timeoutMs: 10_000,
      });
      assert.equal(result.status, 1, result.stderr);
      const lines = result.stdout.trim().split('\n');
      assert.equal(lines.length, 1, result.stdout);
      const line = JSON.parse(lines[0] ?? '');
      assert.equal(line.level, 'error');
      assert.equal(line.msg, 'invalid configuration');
      assert.equal(line.service, service.name);
      assert.equal(line.problems.length, 2, line.problems.join('; '));
    });

    it('has a Dockerfile that hadolint accepts and that builds the way the spec says', function () {
      const text = readFileSync(join(dir, 'Dockerfile'), 'utf8');
      assert.match(text, new RegExp(`^ARG BUILD_IMAGE=${pin('app.image.build')}$`, 'm'));
      assert.match(text, new RegExp(`^ARG RUNTIME_IMAGE=${pin('app.image.runtime')}$`, 'm'));
      assert.equal(text.match(/^FROM /gm)?.length, 3, 'build, production deps, runtime');
      assert.match(text, /^RUN npm ci --omit=dev /m);
      const runtime = text.slice(text.lastIndexOf('\nFROM '));
      assert.match(runtime, /^USER 65532:65532$/m);
      assert.match(runtime, new RegExp(`^EXPOSE ${service.port}$`, 'm'));
      assert.match(runtime, /^CMD \["dist\/server\.js"\]$/m);
      const instructions = text.replace(/^#.*\n/gm, '');
      assert.doesNotMatch(
        instructions,
        /^(HEALTHCHECK|ENTRYPOINT)\b|npm start/m,
        'node is the process, no healthcheck',
      );
      const ignore = readFileSync(join(dir, '.dockerignore'), 'utf8');
      assert.match(ignore, /^\*$/m, '.dockerignore allows only what the build needs');
      const hadolint = requireTool(this, 'hadolint');
      const result = run(hadolint, ['Dockerfile'], { cwd: dir });
      assert.equal(result.status, 0, `hadolint:\n${result.stdout}${result.stderr}`);
    });

    it('has workflows that actionlint (with shellcheck) and zizmor accept, and scripts shellcheck accepts', function () {
      const actionlint = requireTool(this, 'actionlint');
      const shellcheck = requireTool(this, 'shellcheck');
      const zizmor = requireTool(this, 'zizmor');
      const workflows = filesIn(dir, '.github/workflows');
      assert.ok(workflows.length >= 2, workflows.join(', '));
      const lint = run(actionlint, ['-color=false', ...workflows], { cwd: dir });
      assert.equal(lint.status, 0, `actionlint:\n${lint.stdout}${lint.stderr}`);
      const audit = run(zizmor, ['--offline', '--no-progress', '.github/workflows'], { cwd: dir });
      assert.equal(audit.status, 0, `zizmor:\n${audit.stdout}${audit.stderr}`);
      assert.doesNotMatch(audit.stdout + audit.stderr, /suppressed/, 'no zizmor finding is suppressed');
      const scripts = run(shellcheck, filesIn(dir, 'scripts'), { cwd: dir });
      assert.equal(scripts.status, 0, `shellcheck:\n${scripts.stdout}`);
    });

    it('workflow: no cluster access, id-token only where AWS is assumed, no expression inside run:', () => {
      for (const word of [/\bkubectl\b/i, /\bhelm\b/i, /kubeconfig/i, /\baws eks\b/i]) {
        assert.doesNotMatch(workflowText, word);
      }
      assert.ok(
        workflow.permissions && Object.keys(workflow.permissions).every((k) => k === 'contents'),
        'top-level permissions: {} or contents only',
      );
      assert.notEqual(workflow.permissions?.contents, 'write');
      for (const [name, job] of Object.entries(workflow.jobs)) {
        assert.ok(job.permissions, `${name}: explicit permissions`);
        assert.ok(job['timeout-minutes'], `${name}: timeout-minutes`);
        const assumesAws = job.steps.some((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
        assert.equal(
          job.permissions['id-token'] === 'write',
          assumesAws,
          `${name}: id-token: write iff it assumes AWS`,
        );
        for (const [scope, level] of Object.entries(job.permissions)) {
          assert.ok(scope === 'id-token' || level === 'read', `${name}: ${scope}: ${level}`);
        }
        for (const s of job.steps) {
          if (s.run !== undefined) assert.doesNotMatch(s.run, /\$\{\{/, `${name}/${s.name}: run: has \${{ }}`);
          if (s.uses?.startsWith('actions/checkout@')) {
            assert.equal(s.with?.['persist-credentials'], false, `${name}/${s.name}: persist-credentials: false`);
          }
        }
      }
      const usesLines = workflowText.split('\n').filter((l) => /^\s*(- )?uses:/.test(l));
      const steps = Object.values(workflow.jobs).flatMap((j) => j.steps);
      assert.equal(usesLines.length, steps.filter((s) => s.uses).length);
      for (const line of usesLines) {
        assert.match(line, /^\s*(- )?uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+(\.\d+)*$/, line);
      }
    });

    it('workflow: tests every change; on main pushes to ECR by OIDC, then deploys the digest', () => {
      assert.ok('pull_request' in workflow.on);
      assert.deepEqual(workflow.on.push, { branches: ['main'] });
      // A newer push to a pull request cancels its older run; a run on main is never cancelled
      // (it may be pushing an image or writing the GitOps repo).
      assert.deepEqual(workflow.concurrency, {
        group: `ci-${expr('github.event.pull_request.number || github.ref')}`,
        'cancel-in-progress': expr("github.event_name == 'pull_request'"),
      });
      const { test, image, deploy } = workflow.jobs;
      assert.ok(test && image && deploy, 'jobs test, image, deploy');
      assert.deepEqual(
        test.steps.filter((s) => s.run).map((s) => s.run),
        ['npm ci', 'npm run lint', 'npm test', 'npm run build'],
      );
      assert.equal(step(test, 'actions/setup-node').with?.cache, 'npm');

      assert.equal(image.needs, 'test');
      // Exactly: a pull request from a branch named main must not push, nor a tag or a schedule.
      assert.equal(image.if, "github.event_name == 'push' && github.ref == 'refs/heads/main'");
      assert.equal(test.if, undefined, 'every change is tested');
      assert.equal(deploy.if, undefined, 'deploy runs whenever image did (needs: image)');
      const aws = step(image, 'aws-actions/configure-aws-credentials');
      assert.equal(aws.with?.['role-to-assume'], expr('vars.AWS_ROLE_ARN'));
      assert.equal(aws.with?.['aws-region'], model.awsRegion);
      const ecr = step(image, 'aws-actions/amazon-ecr-login');
      step(image, 'docker/setup-buildx-action');
      const meta = step(image, 'docker/metadata-action');
      assert.equal(meta.with?.images, `\${{ steps.${ecr.id}.outputs.registry }}/${service.image.repositoryName}`);
      const build = step(image, 'docker/build-push-action');
      assert.equal(build.with?.push, true);
      assert.equal(build.with?.tags, `\${{ steps.${meta.id}.outputs.tags }}`);
      const existing = image.steps.find((s) => s.id === 'existing');
      assert.ok(existing, 'a step that finds an image already built for this commit');
      assert.equal(
        image.outputs?.digest,
        `\${{ steps.${existing.id}.outputs.digest || steps.${build.id}.outputs.digest }}`,
      );
      assert.equal(build.if, `steps.${existing.id}.outputs.digest == ''`);

      // A pull request builds the image as main does, pushes nothing and assumes no AWS role.
      const check = workflow.jobs['image-check'];
      assert.ok(check, 'a job that builds the image of a pull request');
      assert.equal(check.if, "github.event_name == 'pull_request'");
      assert.equal(check.needs, 'test');
      assert.deepEqual(check.permissions, { contents: 'read' });
      const checkBuild = step(check, 'docker/build-push-action');
      assert.equal(checkBuild.with?.push, false);
      assert.equal(checkBuild.with?.context, build.with?.context);
      assert.equal(checkBuild.with?.platforms, build.with?.platforms);
      assert.doesNotMatch(JSON.stringify(check), /aws-actions|secrets\.|vars\./);

      assert.equal(deploy.needs, 'image');
      assert.deepEqual(deploy.permissions, {});
      assert.deepEqual(deploy.concurrency, {
        group: `deploy-${model.firstEnvironment.name}`,
        'cancel-in-progress': false,
      });
      const token = step(deploy, 'actions/create-github-app-token');
      assert.equal(token.with?.['client-id'], expr('vars.GITOPS_APP_CLIENT_ID'));
      assert.equal(token.with?.['private-key'], expr('secrets.GITOPS_APP_PRIVATE_KEY'));
      assert.equal(token.with?.owner, model.githubOwner);
      assert.equal(token.with?.repositories, model.repos.gitops.name, 'the token is limited to the GitOps repo');
      assert.equal(token.with?.['permission-contents'], 'write');
      assert.equal(token.with?.['permission-pull-requests'], 'write');
      // The key is a secret of an environment that only main deploys to (README, "CI setup").
      assert.equal(deploy.environment, model.firstEnvironment.name);
      const checkout = step(deploy, 'actions/checkout');
      assert.equal(checkout.with?.repository, model.repos.gitops.fullName);
      assert.equal(checkout.with?.token, `\${{ steps.${token.id}.outputs.token }}`);
      const setImage = deploy.steps.find((s) => s.run?.includes('scripts/set-image.sh'));
      assert.equal(
        setImage?.run,
        `scripts/set-image.sh --pull-request '${model.firstEnvironment.name}' '${service.name}' "$DIGEST"`,
      );
      assert.equal(setImage?.env?.DIGEST, expr('needs.image.outputs.digest'));
    });

    it('deploy step: the workflow run line sets the digest on a deploy branch through the GitOps repo script', function () {
      const yq = requireYq(this);
      const deploy = workflow.jobs.deploy;
      const setImage = deploy?.steps.find((s) => s.run?.includes('scripts/set-image.sh'));
      assert.ok(setImage?.run && setImage.env);
      const root = tempDir(`app-deploy-${set}`);
      try {
        // The GitOps repo as GitHub would hold it, and the checkout the deploy job makes of it.
        const source = join(root, 'gitops');
        writeFiles(source, renderRepo(model, 'gitops').files);
        git(source, ['init', '-q']);
        git(source, ['add', '-A']);
        git(source, ['commit', '-q', '-m', 'initial']);
        git(root, ['clone', '-q', '--bare', source, 'origin.git']);
        git(root, ['clone', '-q', 'origin.git', 'work']);

        // The step's env, with the values GitHub would put in for its expressions.
        const values: Record<string, string> = {
          [expr('needs.image.outputs.digest')]: DIGEST,
          [expr('github.repository')]: service.repo.fullName,
          [expr('github.sha')]: SOURCE_SHA,
          [expr('steps.app-token.outputs.token')]: 'test-token',
        };
        const env: NodeJS.ProcessEnv = {
          GITHUB_ACTIONS: 'true',
          GITHUB_OUTPUT: join(root, 'github-output'),
          GIT_CONFIG_GLOBAL: '/dev/null',
          // The runner has mikefarah yq; this machine may have another yq first on PATH.
          PATH: `${dirname(yq)}${delimiter}${process.env.PATH ?? ''}`,
        };
        for (const [key, value] of Object.entries(setImage.env)) {
          if (value.includes('${{')) {
            assert.ok(value in values, `unknown expression in env ${key}: ${value}`);
            env[key] = values[value];
          } else env[key] = value;
        }
        const result = run('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', setImage.run], {
          cwd: join(root, 'work'),
          env,
        });
        assert.equal(result.status, 0, `set-image.sh:\n${result.stdout}${result.stderr}`);
        const file = `environments/${model.firstEnvironment.name}/${service.name}.yaml`;
        const branch = `deploy/${model.firstEnvironment.name}/${service.name}`;
        assert.equal(parse(git(join(root, 'origin.git'), ['show', `main:${file}`])).image.digest, '', 'main untouched');
        const pushed = parse(git(join(root, 'origin.git'), ['show', `${branch}:${file}`]));
        assert.equal(pushed.image.digest, DIGEST);
        assert.equal(git(join(root, 'origin.git'), ['rev-list', '--count', `main..${branch}`]).trim(), '1');
        const outputs = readFileSync(env.GITHUB_OUTPUT as string, 'utf8');
        assert.match(outputs, new RegExp(`^changed=true\nbranch=${branch}\ntitle=deploy\\(${service.name}\\): `));
        const message = git(join(root, 'origin.git'), ['log', '-1', '--format=%B', branch]);
        assert.match(message, new RegExp(`^deploy\\(${service.name}\\): ${model.firstEnvironment.name} image`));
        assert.ok(message.includes(`https://github.com/${service.repo.fullName}/commit/${SOURCE_SHA}`), message);

        // git push to GitHub authenticates through the step's credential helper; nothing on disk.
        const fill = run('git', ['credential', 'fill'], {
          cwd: join(root, 'work'),
          env: { ...env, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' },
          input: 'protocol=https\nhost=github.com\npath=x/y.git\n\n',
        });
        assert.equal(fill.status, 0, fill.stderr);
        assert.match(fill.stdout, /^username=x-access-token$/m);
        assert.match(fill.stdout, /^password=test-token$/m);
        assert.doesNotMatch(readFileSync(join(root, 'work', '.git', 'config'), 'utf8'), /test-token/);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });

    it('deploy step: opens the pull request with auto-merge, waits for the merge, fails on a red check', () => {
      const open = workflow.jobs.deploy?.steps.find((s) => s.run?.includes('gh pr merge'));
      assert.ok(open?.run && open.env);
      assert.equal(open.if, "steps.set-image.outputs.changed == 'true'");
      const root = tempDir(`app-pr-${set}`);
      try {
        const bin = join(root, 'bin');
        mkdirSync(bin);
        // A stand-in for gh (the runner's GitHub CLI): it records each call and answers what the
        // step's --jq filters would have printed, from files the scenario writes.
        writeFileSync(
          join(bin, 'gh'),
          [
            '#!/bin/bash',
            'printf "%s\\n" "$*" >> "$FAKE_GH/calls"',
            'case "$1 $2" in',
            '  "pr list") cat "$FAKE_GH/list" ;;',
            '  "pr create") echo "https://github.com/x/y/pull/42" ;;',
            '  "pr edit" | "pr merge") ;;',
            '  "pr view") n=$(wc -l < "$FAKE_GH/viewed"); echo >> "$FAKE_GH/viewed"; sed -n "$((n + 1))p" "$FAKE_GH/states" ;;',
            '  "pr checks") cat "$FAKE_GH/failed" ;;',
            '  *) echo "unexpected: gh $*" >&2; exit 9 ;;',
            'esac',
            '',
          ].join('\n'),
          { mode: 0o755 },
        );
        writeFileSync(join(bin, 'sleep'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
        const values: Record<string, string> = {
          'steps.app-token.outputs.token': 'test-token',
          'steps.set-image.outputs.branch': `deploy/dev/${service.name}`,
          'steps.set-image.outputs.title': `deploy(${service.name}): dev image abc`,
          'needs.image.outputs.digest': DIGEST,
          'github.server_url': 'https://github.com',
          'github.repository': service.repo.fullName,
          'github.run_id': '7',
        };
        const scenario = (name: string, files: { list?: string; states: string[]; failed?: string }) => {
          const dir = join(root, name);
          mkdirSync(dir);
          writeFileSync(join(dir, 'list'), files.list ?? '');
          writeFileSync(join(dir, 'states'), `${files.states.join('\n')}\n`);
          writeFileSync(join(dir, 'failed'), files.failed ?? '');
          writeFileSync(join(dir, 'viewed'), '');
          const env: NodeJS.ProcessEnv = {
            FAKE_GH: dir,
            PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`,
            GITHUB_REPOSITORY: service.repo.fullName,
            GITHUB_SHA: SOURCE_SHA,
          };
          for (const [key, value] of Object.entries(open.env ?? {})) {
            env[key] = value.replace(/\$\{\{ ([^}]+) \}\}/g, (_, inner: string) => {
              assert.ok(inner in values, `unknown expression in env ${key}: ${inner}`);
              return values[inner];
            });
          }
          const result = run('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', open.run as string], { env });
          return { ...result, calls: readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n') };
        };
        const repo = `--repo ${model.repos.gitops.fullName}`;

        const merged = scenario('merged', { states: ['OPEN', 'OPEN', 'MERGED'] });
        assert.equal(merged.status, 0, merged.stderr);
        assert.match(merged.stdout, /Merged: Argo CD deploys it/);
        assert.match(merged.calls[0], new RegExp(`^pr list ${repo} --head deploy/dev/${service.name} --state open `));
        assert.match(
          merged.calls[1],
          new RegExp(
            `^pr create ${repo} --base main --head deploy/dev/${service.name} --title deploy\\(${service.name}\\): dev image abc --body Deploys image`,
          ),
        );
        assert.equal(merged.calls[2], `pr merge 42 ${repo} --auto --squash`);
        assert.equal(merged.calls.filter((c) => c.startsWith('pr view 42')).length, 3);

        const updated = scenario('updated', { list: '17', states: ['MERGED'] });
        assert.equal(updated.status, 0, updated.stderr);
        assert.match(updated.calls[1], new RegExp(`^pr edit 17 ${repo} --title `));
        assert.equal(updated.calls[2], `pr merge 17 ${repo} --auto --squash`);
        assert.ok(!updated.calls.some((c) => c.startsWith('pr create')), 'no second pull request');

        const red = scenario('red', { states: ['OPEN', 'OPEN'], failed: 'validate' });
        assert.equal(red.status, 1);
        assert.match(red.stdout, /::error::Required checks failed on the deploy pull request #42: validate/);

        const closed = scenario('closed', { states: ['CLOSED'] });
        assert.equal(closed.status, 1);
        assert.match(closed.stdout, /::error::The deploy pull request #42 was closed without merging/);

        const stuck = scenario('stuck', { states: Array(200).fill('OPEN') });
        assert.equal(stuck.status, 1);
        assert.match(stuck.stdout, /::error::The deploy pull request #42 has not merged after 25 minutes/);
        assert.equal(stuck.calls.filter((c) => c.startsWith('pr view')).length, 150);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });

    it('has a valid Renovate config and a README that names what CI needs', () => {
      const renovate = JSON.parse(readFileSync(join(dir, 'renovate.json'), 'utf8'));
      assert.ok(renovate.extends.includes('config:recommended'));
      assert.ok(renovate.extends.includes('helpers:pinGitHubActionDigests'));
      assert.ok(renovate.extends.includes('docker:pinDigests'));
      const readme = readFileSync(join(dir, 'README.md'), 'utf8');
      for (const needle of [
        'AWS_ROLE_ARN',
        service.ciRole.arn,
        'GITOPS_APP_CLIENT_ID',
        'GITOPS_APP_PRIVATE_KEY',
        'Contents → Read and write',
        'git revert',
        'Pull requests → Read and write',
        `scripts/set-image.sh --pull-request ${model.firstEnvironment.name} ${service.name}`,
        'Do **not** add the App to any bypass list',
        'node:http',
      ]) {
        assert.ok(readme.includes(needle), `README mentions ${needle}`);
      }
      // The key lives in the environment (main only), not in repository or organization secrets.
      assert.match(
        readme,
        new RegExp(`gh secret set GITOPS_APP_PRIVATE_KEY --repo "\\$repo" --env ${model.firstEnvironment.name} `),
      );
      assert.doesNotMatch(readme, /gh secret set GITOPS_APP_PRIVATE_KEY --repo "\$repo" </);
      assert.equal(readFileSync(join(dir, '.nvmrc'), 'utf8').trim(), pin('app.node'));
    });

    excusableIt('docker-image', 'builds the image on local base images and runs it (Docker)', async function () {
      // The first run on a machine builds the base images with debootstrap (minutes); later ones reuse them.
      this.timeout(30 * 60_000);
      const setup = prepareDocker();
      if (!setup.ok) cannotRun(this, 'docker-image', `docker: ${setup.reason}`);
      const { docker, buildImage, runtimeImage } = setup;
      // Unique per run, so two runs on one machine never share (or remove) each other's images.
      const tag = `gitops-platform-test/app-${service.name}:run-${process.pid}-${randomBytes(4).toString('hex')}`;
      // The classic builder would leave the build stages behind as untagged images; built as
      // targets first, each has a tag of this run, and removing the tags removes them.
      const stages = ['build', 'deps'];
      let container = '';
      try {
        for (const [target, name] of [...stages.map((s) => [s, `${tag}-${s}`]), [undefined, tag]]) {
          run(
            docker,
            [
              'build',
              '-q',
              '--network',
              'host',
              '--build-arg',
              `BUILD_IMAGE=${buildImage}`,
              '--build-arg',
              `RUNTIME_IMAGE=${runtimeImage}`,
              ...(target ? ['--target', target] : []),
              '-t',
              name as string,
              '.',
            ],
            { cwd: dir, env: { DOCKER_BUILDKIT: '0' }, check: true, timeoutMs: 10 * 60_000 },
          );
        }
        const [config] = JSON.parse(run(docker, ['image', 'inspect', tag], { check: true }).stdout);
        assert.equal(config.Config.User, '65532:65532');
        assert.deepEqual(config.Config.Cmd, ['dist/server.js']);
        assert.deepEqual(config.Config.Entrypoint, ['/nodejs/bin/node'], "the base image's node");
        assert.equal(config.Config.Healthcheck ?? null, null);
        assert.ok(`${service.port}/tcp` in config.Config.ExposedPorts);
        const modules = run(
          docker,
          ['run', '--rm', tag, '-e', "console.log(require('fs').readdirSync('node_modules').join(','))"],
          { check: true },
        ).stdout.trim();
        assert.doesNotMatch(modules, /typescript|biome|@types/, 'no dev dependency in the image');

        const port = await freePort();
        container = run(
          docker,
          [
            'run',
            '-d',
            '--network',
            'host',
            '--read-only',
            '--cap-drop',
            'ALL',
            '--security-opt',
            'no-new-privileges',
            '-e',
            `PORT=${port}`,
            '-e',
            'HOST=127.0.0.1',
            tag,
          ],
          { check: true },
        ).stdout.trim();
        let hello: Response | undefined;
        for (let i = 0; i < 100 && !hello?.ok; i++) {
          hello = await fetch(`http://127.0.0.1:${port}/api/v1/hello?name=Docker`).catch(() => undefined);
          if (!hello?.ok) await new Promise((resolve) => setTimeout(resolve, 100));
        }
        assert.ok(hello?.ok, 'the container serves');
        assert.deepEqual(await hello.json(), { message: 'Hello, Docker!' });
        const started = performance.now();
        run(docker, ['stop', '-t', '30', container], { check: true, timeoutMs: 60_000 });
        const stopMs = Math.round(performance.now() - started);
        const state = JSON.parse(run(docker, ['inspect', '--format', '{{json .State}}', container]).stdout);
        const logs = run(docker, ['logs', container])
          .stdout.trim()
          .split('\n')
          .map((l) => JSON.parse(l));
        console.log(`      docker: built ${tag}; docker stop took ${stopMs} ms, exit code ${state.ExitCode}`);
        assert.equal(state.ExitCode, 0);
        assert.ok(stopMs < 20_000);
        assert.equal(logs.find((l) => l.msg === 'listening')?.pid, 1, 'node is PID 1 and gets SIGTERM itself');
        assert.ok(logs.some((l) => l.msg === 'shutdown complete'));
      } finally {
        if (container) run(docker, ['rm', '-f', container]);
        run(docker, ['rmi', '-f', tag, ...stages.map((s) => `${tag}-${s}`)]);
      }
    });
  });
}

describe('@tools app repos added by the service command', () => {
  for (const { name } of addedServices) {
    it(`${name}: npm ci, npm test, npm run lint and npm run build pass`, async function () {
      this.timeout(600_000);
      const dir = join(grownWorkspace(), name);
      assert.ok(existsSync(join(dir, '.git')), `${name} is a git repo made by the service command`);
      await writeLockfile(dir);
      npm(dir, ['ci', '--no-audit', '--no-fund']);
      assertTestsRan(npm(dir, ['test']).stdout);
      npm(dir, ['run', 'lint']);
      npm(dir, ['run', 'build']);
    });
  }
});
