/**
 * `npm run mutants`: a mutation check of the test suite. Each mutant below breaks one behaviour
 * that matters (a validation rule, a rollback step, an exit code, a security setting, an IAM
 * condition, a workflow condition, a shutdown timing) by one exact text change. For each, the
 * change is applied, the tests named for it run, and the original is put back; a mutant the tests
 * do not fail on is "NOT CAUGHT". Template mutants run without the snapshot test, so a semantic
 * test must catch them, not a byte comparison.
 *
 *   npm run mutants                 every mutant
 *   npm run mutants -- org-length   only the mutants whose id contains one of the words given
 *
 * Exit 0 when every mutant was caught, 1 otherwise. Not part of `npm test` (it runs the suites
 * once per mutant: about seven minutes on 2 cores).
 */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the mutants are source text, ${...} included.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

interface Mutant {
  id: string;
  /** What the mutant breaks, in the product's terms. */
  breaks: string;
  file: string;
  find: string;
  replace: string;
  /** Test files to run (under test/), and optionally a mocha --grep to narrow them. */
  tests: string[];
  grep?: string;
}

const mutants: Mutant[] = [
  // ---- validation rules
  {
    id: 'org-length',
    breaks: 'org may be 33 characters (the limit is 32)',
    file: 'generators/lib/answers/parsers.ts',
    find: 'export const parseOrg = label(2, 32);',
    replace: 'export const parseOrg = label(2, 33);',
    tests: ['options.test.ts'],
  },
  {
    id: 'port-range',
    breaks: 'privileged ports (below 1024) accepted',
    file: 'generators/lib/answers/parsers.ts',
    find: 'value < 1024 || value > 65535',
    replace: 'value < 1 || value > 65535',
    tests: ['options.test.ts'],
  },
  {
    id: 'environment-count',
    breaks: 'more than 10 environments accepted',
    file: 'generators/lib/answers/parsers.ts',
    find: 'if (items.length > 10)',
    replace: 'if (items.length > 11)',
    tests: ['options.test.ts'],
  },
  {
    id: 'reserved-kube-names',
    breaks: 'a service may be called kube-*',
    file: 'generators/lib/answers/parsers.ts',
    find: "RESERVED_SERVICES.includes(name) || name.startsWith('kube-')",
    replace: 'RESERVED_SERVICES.includes(name)',
    tests: ['options.test.ts'],
  },
  {
    id: 'unknown-answer-key',
    breaks: 'an unknown key in an answers file is accepted',
    file: 'generators/lib/answers/file.ts',
    find: 'if (unknown.length > 0) {',
    replace: 'if (unknown.length < 0) {',
    tests: ['options.test.ts', 'new.test.ts'],
  },
  {
    id: 'service-conflict',
    breaks: 'service adds over lines the team edited (a merge conflict is ignored)',
    file: 'generators/service/plan.ts',
    find: 'if (merged.conflicts > 0) conflicts.push(',
    replace: 'if (merged.conflicts < 0) conflicts.push(',
    tests: ['service.test.ts'],
  },
  // ---- rollback steps
  {
    id: 'rollback-reset',
    breaks: 'a failed change is not reset (index and work tree keep its writes)',
    file: 'generators/lib/repos/transaction.ts',
    find: "git(s.dir, ['reset', '--quiet', '--hard', s.head]);",
    replace: '',
    tests: ['rollback.test.ts', 'service.test.ts'],
  },
  {
    id: 'rollback-created-files',
    breaks: 'files a failed change created are left behind',
    file: 'generators/lib/repos/transaction.ts',
    find: 'for (const path of s.created) {',
    replace: 'for (const path of [] as string[]) {',
    tests: ['rollback.test.ts'],
  },
  {
    id: 'rollback-report',
    breaks: 'a restore that fails is not reported',
    file: 'generators/lib/repos/transaction.ts',
    find: 'failures.push(`${snapshot.name}: ${(undoError as Error).message}`);',
    replace: '',
    tests: ['rollback.test.ts'],
  },
  {
    id: 'rollback-new-move-back',
    breaks: 'new leaves the repos it already placed when a later one fails',
    file: 'generators/lib/repos/create.ts',
    find: 'renameSync(join(workspace, name), join(staging, name));',
    replace: '',
    tests: ['rollback.test.ts', 'new.test.ts'],
  },
  {
    id: 'upgrade-keeps-edited-dropped-file',
    breaks: 'upgrade without a base removes a dropped file the team edited',
    file: 'generators/upgrade/plan.ts',
    find: "changes.push(sha256(ours) === entry.sha256 ? { path, action: 'removed' } : { path, action: 'kept' });",
    replace: "changes.push({ path, action: 'removed' });",
    tests: ['rollback.test.ts', 'upgrade.test.ts'],
  },
  // ---- exit codes
  {
    id: 'exit-usage-error',
    breaks: 'a refused command exits 0',
    file: 'generators/lib/errors.ts',
    find: 'readonly exitCode: number = 1;',
    replace: 'readonly exitCode: number = 0;',
    tests: ['cli.test.ts', 'upgrade.test.ts'],
  },
  {
    id: 'version-text-order',
    breaks: 'versions compared as text: 1.0.0-rc.10 taken for older than 1.0.0-rc.9',
    file: 'generators/upgrade/plan.ts',
    find: 'semver.gt(i.repo.state.version, now.version)',
    replace: 'i.repo.state.version > now.version',
    tests: ['upgrade.test.ts'],
  },
  {
    id: 'migration-dropped',
    breaks: 'state of the oldest layout is not migrated (its format stays missing)',
    file: 'generators/lib/repos/migrations.ts',
    find: '(state) => ({ format: 2, ...state }),',
    replace: '(state) => state,',
    tests: ['migrations.test.ts'],
  },
  {
    id: 'exit-upgrade-pending',
    breaks: 'upgrade --check exits 0 while changes are pending',
    file: 'generators/upgrade/index.ts',
    find: 'const EXIT_PENDING = 2;',
    replace: 'const EXIT_PENDING = 0;',
    tests: ['upgrade.test.ts'],
  },
  // ---- security settings of the chart
  {
    id: 'chart-privilege-escalation',
    breaks: 'containers may gain privileges (Pod Security restricted refuses the pod)',
    file: 'templates/gitops/charts/__service__/templates/deployment.yaml.ejs',
    find: 'allowPrivilegeEscalation: false',
    replace: 'allowPrivilegeEscalation: true',
    tests: ['gitops-tools.test.ts'],
    grep: 'Pod Security',
  },
  {
    id: 'chart-read-only-root',
    breaks: 'the container root file system is writable',
    file: 'templates/gitops/charts/__service__/templates/deployment.yaml.ejs',
    find: 'readOnlyRootFilesystem: true',
    replace: 'readOnlyRootFilesystem: false',
    tests: ['gitops-tools.test.ts'],
    grep: 'Pod Security',
  },
  {
    id: 'chart-run-as-non-root',
    breaks: 'the pod may run as root',
    file: 'templates/gitops/charts/__service__/templates/deployment.yaml.ejs',
    find: 'runAsNonRoot: true',
    replace: 'runAsNonRoot: false',
    tests: ['gitops-tools.test.ts'],
    grep: 'Pod Security',
  },
  // ---- IAM conditions
  {
    id: 'iam-oidc-sub-like',
    breaks: 'the CI role trusts a sub pattern (StringLike) instead of an exact one',
    file: 'templates/infra/terraform/iam/github-oidc-role/main.tf.ejs',
    find: 'test     = "StringEquals"\n          variable = "token.actions.githubusercontent.com:sub"',
    replace: 'test     = "StringLike"\n          variable = "token.actions.githubusercontent.com:sub"',
    tests: ['infra.test.ts'],
  },
  {
    id: 'iam-ci-subject-any-branch',
    breaks: "a service's CI role can be assumed from any branch, not only main",
    file: 'generators/lib/model.ts',
    find: 'ciRoleSubject: `repo:${serviceRepo.fullName}:ref:refs/heads/main`,',
    replace: 'ciRoleSubject: `repo:${serviceRepo.fullName}:ref:refs/heads/*`,',
    tests: ['infra.test.ts'],
  },
  {
    id: 'state-bucket-tls',
    breaks: 'the state bucket denies TLS requests instead of plain HTTP ones',
    file: 'templates/infra/bootstrap/main.tf.ejs',
    find: 'variable = "aws:SecureTransport"\n      values   = ["false"]',
    replace: 'variable = "aws:SecureTransport"\n      values   = ["true"]',
    tests: ['infra.test.ts'],
  },
  // ---- workflow conditions
  {
    id: 'app-ci-image-on-any-event',
    breaks: 'a pull request from a branch called main pushes an image (the push-event guard is gone)',
    file: 'templates/app-node/.github/workflows/ci.yaml.ejs',
    find: "if: github.event_name == 'push' && github.ref == 'refs/heads/main'",
    replace: "if: github.ref == 'refs/heads/main'",
    tests: ['app-tools.test.ts'],
    grep: 'workflow: tests every change',
  },
  {
    id: 'app-ci-cancels-main',
    breaks: 'a newer push cancels a run on main mid-deploy',
    file: 'templates/app-node/.github/workflows/ci.yaml.ejs',
    find: "cancel-in-progress: ${{ github.event_name == 'pull_request' }}",
    replace: 'cancel-in-progress: true',
    tests: ['app-tools.test.ts'],
    grep: 'workflow: tests every change',
  },
  {
    id: 'app-deploy-cancel',
    breaks: 'a deploy to the first environment is cancelled by the next one',
    file: 'templates/app-node/.github/workflows/ci.yaml.ejs',
    find: '      group: deploy-<%= first %>\n      cancel-in-progress: false',
    replace: '      group: deploy-<%= first %>\n      cancel-in-progress: true',
    tests: ['app-tools.test.ts'],
    grep: 'workflow: tests every change',
  },
  {
    id: 'gitops-push-retries',
    breaks: 'set-image.sh gives up at the first rejected push (two deploys at once lose one)',
    file: 'templates/gitops/scripts/set-image.sh.ejs',
    find: 'readonly MAX_ATTEMPTS=5',
    replace: 'readonly MAX_ATTEMPTS=1',
    tests: ['gitops-scripts.test.ts'],
  },
  // ---- the app's shutdown and keep-alive timings
  {
    id: 'app-keep-alive',
    breaks: 'the app closes idle connections before the ALB does (502s)',
    file: 'templates/app-node/src/lifecycle.ts.ejs',
    find: 'const KEEP_ALIVE_TIMEOUT_MS = 65_000;',
    replace: 'const KEEP_ALIVE_TIMEOUT_MS = 5_000;',
    tests: ['app-tools.test.ts'],
    grep: 'passes npm ci',
  },
  {
    id: 'app-shutdown-delay',
    breaks: 'the app stops accepting at once on SIGTERM (no time for endpoints to update)',
    file: 'templates/app-node/src/config.ts.ejs',
    find: '  shutdownDelayMs: 1000,',
    replace: '  shutdownDelayMs: 0,',
    tests: ['app-tools.test.ts'],
    grep: 'passes npm ci',
  },
  {
    id: 'app-sigterm',
    breaks: 'SIGTERM is not handled: in-flight requests are cut',
    file: 'templates/app-node/src/server.ts.ejs',
    find: "process.on('SIGTERM', onSignal);",
    replace: '',
    tests: ['app-tools.test.ts'],
    grep: 'drains under load',
  },
];

function occurrences(text: string, find: string): number {
  return text.split(find).length - 1;
}

/** Runs the named tests; true when they pass. */
function runTests(tests: string[], grep?: string): { passed: boolean; seconds: number; tail: string } {
  const started = performance.now();
  const args = [
    'mocha',
    '--no-config',
    '--node-option',
    'import=tsx',
    '--require',
    'test/support/setup.ts',
    '--timeout',
    '120000',
    '--reporter',
    'dot',
    '--bail',
    ...(grep ? ['--grep', grep] : []),
    ...tests.map((t) => join('test', t)),
  ];
  const result = spawnSync('npx', args, { cwd: root, encoding: 'utf8', timeout: 20 * 60_000 });
  const output = `${result.stdout}${result.stderr}`.trim().split('\n');
  return {
    passed: result.status === 0,
    seconds: Math.round((performance.now() - started) / 1000),
    tail: output.slice(-15).join('\n'),
  };
}

const words = process.argv.slice(2);
const chosen = words.length === 0 ? mutants : mutants.filter((m) => words.some((w) => m.id.includes(w)));
if (chosen.length === 0) {
  console.error(`no mutant matches ${words.join(', ')}; ids: ${mutants.map((m) => m.id).join(', ')}`);
  process.exit(2);
}

// Every mutant must apply to exactly one place, or it tests nothing.
const originals = new Map<string, string>();
for (const m of chosen) {
  const text = originals.get(m.file) ?? readFileSync(join(root, m.file), 'utf8');
  originals.set(m.file, text);
  const n = occurrences(text, m.find);
  if (n !== 1) {
    console.error(`${m.id}: the text to change occurs ${n} times in ${m.file}, not once`);
    process.exit(2);
  }
}

const restoreAll = () => {
  for (const [file, text] of originals) writeFileSync(join(root, file), text);
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    restoreAll();
    console.error(`\n${signal}: every file restored`);
    process.exit(130);
  });
}

// The tests must pass on the code as it is, or "caught" would mean nothing.
const suites = new Map<string, { tests: string[]; grep?: string }>();
for (const m of chosen) suites.set(`${m.tests.join(' ')}|${m.grep ?? ''}`, { tests: m.tests, grep: m.grep });
for (const { tests, grep } of suites.values()) {
  const baseline = runTests(tests, grep);
  if (!baseline.passed) {
    console.error(
      `baseline: ${tests.join(' ')}${grep ? ` --grep "${grep}"` : ''} fails without any mutant:\n${baseline.tail}`,
    );
    process.exit(2);
  }
}

const rows: { m: Mutant; caught: boolean; seconds: number }[] = [];
for (const m of chosen) {
  const original = originals.get(m.file) as string;
  writeFileSync(join(root, m.file), original.replace(m.find, m.replace));
  let outcome: ReturnType<typeof runTests>;
  try {
    outcome = runTests(m.tests, m.grep);
  } finally {
    writeFileSync(join(root, m.file), original);
  }
  rows.push({ m, caught: !outcome.passed, seconds: outcome.seconds });
  console.log(`${outcome.passed ? 'NOT CAUGHT' : 'caught    '}  ${m.id} (${outcome.seconds} s)`);
}
restoreAll();

const table = [
  '| mutant | what it breaks | file | tests | result |',
  '| --- | --- | --- | --- | --- |',
  ...rows.map(
    ({ m, caught, seconds }) =>
      `| ${m.id} | ${m.breaks} | ${m.file} | ${m.tests.join(', ')}${m.grep ? ` (${m.grep})` : ''} | ${caught ? 'caught' : '**NOT CAUGHT**'} (${seconds} s) |`,
  ),
];
console.log(`\n${table.join('\n')}\n`);
const missed = rows.filter((r) => !r.caught).length;
console.log(`${rows.length - missed} of ${rows.length} mutants caught`);
process.exit(missed === 0 ? 0 : 1);
