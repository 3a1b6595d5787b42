/**
 * @tools: the checks the infra repo's own CI runs, with the real tools, on freshly rendered output
 * for both answer sets (the full one with a second service). Terraform itself cannot be built
 * here, so OpenTofu's formatter stands in for `terraform fmt` (same canonical style). Locally a
 * missing tool skips with a visible reason; with CI=true it fails.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { renderRepo } from '../generators/lib/render/render.ts';
import { writeFiles } from '../generators/lib/repos/files.ts';
import { addedServices, grownWorkspace } from './support/added-services.ts';
import { parseHcl, requireHclParser } from './support/hcl.ts';
import { cannotRun, excusableIt } from './support/skips.ts';
import { tempDir } from './support/temp.ts';
import { failedOnlyForNetwork } from './support/tofu.ts';
import { filesIn, pythonCacheEnv, requireTool, run } from './support/tools.ts';
import { answerSets, listFiles, modelFor } from './support/workspace.ts';

/** Folders that hold .tf files: the roots and the local modules. */
function tfDirs(root: string): string[] {
  return [
    ...new Set(
      listFiles(root)
        .filter((f) => f.endsWith('.tf'))
        .map((f) => dirname(f)),
    ),
  ].sort();
}

function rendered(set: keyof typeof answerSets, extra: { name: string; port: number }[]): () => string {
  return () => {
    const dir = tempDir(`infra-tools-${set}`);
    writeFiles(dir, renderRepo(modelFor(set, extra), 'infra').files);
    return dir;
  };
}

/** Both answer sets freshly rendered, and a repo grown by three `service` adds (a data edit each). */
const targets = [
  { set: 'minimal' as const, label: `minimal: ${answerSets.minimal.description}`, dir: rendered('minimal', []) },
  {
    set: 'full' as const,
    label: `full: ${answerSets.full.description}, plus web`,
    dir: rendered('full', [{ name: 'web', port: 8081 }]),
  },
  {
    set: 'grown' as const,
    label: `minimal plus ${addedServices.map((s) => s.name).join(', ')} added by the service command`,
    dir: () => join(grownWorkspace(), modelFor('minimal').repos.infra.name),
  },
];

for (const { set, label, dir: makeDir } of targets) {
  describe(`@tools infra repo (${label})`, () => {
    let dir = '';
    const cleanup: string[] = [];
    before(function () {
      // The grown workspace runs the bin four times (new and three service adds) when first asked for.
      this.timeout(120_000);
      dir = makeDir();
      if (set !== 'grown') cleanup.push(dir);
    });
    after(() => {
      for (const d of cleanup) rmSync(d, { recursive: true, force: true });
    });

    it('is formatted: tofu fmt -check -recursive (stands in for terraform fmt)', function () {
      const tofu = requireTool(this, 'tofu');
      const result = run(tofu, ['fmt', '-check', '-recursive', '-diff', '.'], { cwd: dir });
      assert.equal(result.status, 0, `not formatted:\n${result.stdout}${result.stderr}`);
    });

    it('every .tf and .tfvars file parses (python-hcl2)', function () {
      const python = requireHclParser(this);
      const files = listFiles(dir).filter((f) => /\.(tf|tfvars)$/.test(f));
      assert.ok(files.length > 40, `${files.length} files`);
      parseHcl(
        python,
        files.map((f) => join(dir, f)),
      );
    });

    it('tflint (bundled terraform ruleset, recommended preset) is clean in every root and module', function () {
      const tflint = requireTool(this, 'tflint');
      const config = join(dir, '.tflint.hcl');
      assert.match(readFileSync(config, 'utf8'), /preset\s+= "recommended"/);
      const all = run(tflint, ['--recursive', '--config', config, '--format', 'compact'], { cwd: dir });
      assert.equal(all.status, 0, `tflint --recursive:\n${all.stdout}${all.stderr}`);
      // Once more per folder, so each root's view of its local modules is linted too.
      for (const d of tfDirs(dir)) {
        const one = run(tflint, ['--chdir', d, '--config', config, '--format', 'compact'], { cwd: dir });
        assert.equal(one.status, 0, `tflint --chdir ${d}:\n${one.stdout}${one.stderr}`);
      }
    });

    it('checkov is clean on the whole repo, and every skip is inline with its reason', function () {
      // checkov parses every file with its Python HCL parser: several seconds per repo.
      this.timeout(60_000);
      const checkov = requireTool(this, 'checkov');
      const result = run(checkov, ['--config-file', '.checkov.yaml', '--skip-download'], {
        cwd: dir,
        env: pythonCacheEnv(),
      });
      assert.equal(result.status, 0, `checkov:\n${result.stdout}${result.stderr}`);
      assert.match(result.stdout, /terraform scan results:/);
      assert.match(result.stdout, /Failed checks: 0/);
      assert.doesNotMatch(result.stdout, /Failed checks: [1-9]/);
      assert.doesNotMatch(readFileSync(join(dir, '.checkov.yaml'), 'utf8'), /skip-check|soft-fail/);
      let skips = 0;
      for (const file of listFiles(dir).filter((f) => f.endsWith('.tf'))) {
        for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
          if (!line.includes('checkov:skip')) continue;
          skips++;
          assert.match(line, /#checkov:skip=CKV2?_[A-Z0-9]+_\d+:\S.{15,}/, `${file}: a skip needs its reason: ${line}`);
        }
      }
      assert.ok(skips > 0);
    });

    it('actionlint (with shellcheck) and zizmor accept every workflow', function () {
      const actionlint = requireTool(this, 'actionlint');
      requireTool(this, 'shellcheck');
      const zizmor = requireTool(this, 'zizmor');
      const workflows = filesIn(dir, '.github/workflows');
      assert.ok(workflows.length >= 3, workflows.join(', '));
      const lint = run(actionlint, ['-color=false', ...workflows], { cwd: dir });
      assert.equal(lint.status, 0, `actionlint:\n${lint.stdout}${lint.stderr}`);
      const audit = run(zizmor, ['--offline', '--no-progress', '.github/workflows'], { cwd: dir });
      assert.equal(audit.status, 0, `zizmor:\n${audit.stdout}${audit.stderr}`);
    });

    it('shellcheck accepts every script', function () {
      const shellcheck = requireTool(this, 'shellcheck');
      const result = run(shellcheck, filesIn(dir, 'scripts'), { cwd: dir });
      assert.equal(result.status, 0, result.stdout);
    });

    it('yamllint (strict, with the repo config) accepts the repo', function () {
      const yamllint = requireTool(this, 'yamllint');
      const result = run(yamllint, ['--strict', '-c', '.yamllint.yaml', '.'], { cwd: dir });
      assert.equal(result.status, 0, result.stdout);
    });

    excusableIt('tofu-validate', 'terraform validate, where providers and modules can be downloaded', function () {
      // Downloads every provider and registry module: minutes, on a good network.
      this.timeout(900_000);
      const tofu = requireTool(this, 'tofu');
      // validate needs every provider and registry module: `init -backend=false` downloads them.
      // Without a network that fails for every root and module here (each uses a registry module
      // or the aws/helm/kubernetes providers): only then may the test say so and not run.
      const cache = tempDir('tofu-plugins');
      const env = { TF_PLUGIN_CACHE_DIR: cache, TF_IN_AUTOMATION: 'true' };
      const work = tempDir(`infra-validate-${set}`);
      cleanup.push(cache, work);
      cpSync(dir, work, { recursive: true });
      const probe = run(tofu, ['-chdir=global', 'init', '-backend=false', '-input=false', '-no-color'], {
        cwd: work,
        env,
        timeoutMs: 300_000,
      });
      if (probe.status !== 0) {
        const output = probe.stdout + probe.stderr;
        assert.ok(failedOnlyForNetwork(output), `tofu init failed for another reason than the network:\n${output}`);
        cannotRun(this, 'tofu-validate', 'no registry access to download providers and modules');
      }
      for (const d of tfDirs(work)) {
        mkdirSync(join(work, d), { recursive: true });
        const init = run(tofu, [`-chdir=${d}`, 'init', '-backend=false', '-input=false', '-no-color'], {
          cwd: work,
          env,
          timeoutMs: 300_000,
        });
        assert.equal(init.status, 0, `init ${d}:\n${init.stdout}${init.stderr}`);
        const validate = run(tofu, [`-chdir=${d}`, 'validate', '-no-color'], { cwd: work, env });
        assert.equal(validate.status, 0, `validate ${d}:\n${validate.stdout}${validate.stderr}`);
      }
    });
  });
}

/**
 * Only a registry that cannot be reached may turn `terraform validate` into "cannot run here".
 * The outputs below are OpenTofu's own (a machine without network; its init tests for the rest),
 * with the registry's host name replaced.
 */
describe('tofu init: telling "no network" from a real failure', () => {
  const offlineProvider = `Initializing provider plugins...
- Finding hashicorp/aws versions matching "~> 6.0"...

Error: Failed to resolve provider packages

Could not resolve provider hashicorp/aws: could not connect to
registry.example: failed to request discovery document: Get
"https://registry.example/.well-known/terraform.json": dial tcp: lookup
registry.example on 10.0.0.53:53: no such host
`;
  const offlineModule = `Initializing modules...

Error: Error accessing remote module registry

  on main.tf line 1:
   1: module "vpc" {

Failed to retrieve available versions for module "vpc" (main.tf:1) from
registry.example: failed to request discovery document: Get
"https://registry.example/.well-known/terraform.json": dial tcp: lookup
registry.example on 10.0.0.53:53: no such host.
`;
  const impossiblePin = `
Error: Failed to resolve provider packages

Could not resolve provider hashicorp/aws: no available releases match the
given constraints >= 99.0.0, < 1.0.0
`;
  const unknownProvider = `
Error: Failed to query available provider packages

Could not retrieve the list of available versions for provider
hashicorp/nosuch: provider registry registry.example does not have a provider
named registry.example/hashicorp/nosuch
`;
  const syntax = `
Error: Unsupported argument

  on main.tf line 3, in module "vpc":
   3:   nmae = "x"

An argument named "nmae" is not expected here.
`;

  it('accepts output where every error is an unreachable registry', () => {
    assert.equal(failedOnlyForNetwork(offlineProvider), true);
    assert.equal(failedOnlyForNetwork(offlineModule), true);
    assert.equal(failedOnlyForNetwork(`${offlineModule}\n${offlineProvider}`), true);
  });

  it('refuses an impossible pin, an unknown provider, a syntax error, or no error at all', () => {
    for (const [what, output] of Object.entries({ impossiblePin, unknownProvider, syntax, none: 'Initializing...' })) {
      assert.equal(failedOnlyForNetwork(output), false, what);
    }
  });

  it('refuses a real error even when the registry was also unreachable', () => {
    assert.equal(failedOnlyForNetwork(`${offlineProvider}\n${syntax}`), false);
    assert.equal(failedOnlyForNetwork(`${impossiblePin}\n${offlineModule}`), false);
  });
});
