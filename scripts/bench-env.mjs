// Times `gitops-platform env add` and `env remove` on a demo platform with 20 services (every app
// repo of the workspace changes too), and `service remove` there (the infra and GitOps repos), each
// as a whole process, several runs each; between runs the branch it made is dropped. A benchmark,
// not a test.
//   node scripts/bench-env.mjs [runs]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const runs = Number(process.argv[2] ?? 5);
const bin = new URL('../bin/gitops-platform.js', import.meta.url).pathname;
const ws = mkdtempSync(join(tmpdir(), 'bench-env-'));

function run(command, args, cwd = ws) {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', input: '' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}
const cli = (...args) => run(process.execPath, [bin, ...args]);
const repos = () => readdirSync(ws).filter((e) => !e.startsWith('.'));

/** Back to main in every repo, without the branch the command made (where it made one). */
function drop(branch) {
  for (const repo of repos()) {
    const dir = join(ws, repo);
    if (spawnSync('git', ['branch', '--list', branch], { cwd: dir, encoding: 'utf8' }).stdout.trim() === '') continue;
    run('git', ['checkout', '-q', 'main'], dir);
    run('git', ['branch', '-q', '-D', branch], dir);
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// --skip-install: the npm lockfile step talks to the registry; this measures the generator.
cli('new', '--defaults', '--skip-install');
for (let i = 2; i <= 20; i++) cli('service', `svc-${String(i).padStart(2, '0')}`, '--skip-install', '--current-branch');
console.log(`workspace: ${ws} (${repos().length} repos, 20 services)`);

const add = [];
for (let i = 0; i < runs; i++) {
  add.push(cli('env', 'add', 'staging'));
  drop('add-env-staging');
}
cli('env', 'add', 'staging', '--current-branch');
const remove = [];
for (let i = 0; i < runs; i++) {
  remove.push(cli('env', 'remove', 'staging', '--allow-destroy'));
  drop('remove-env-staging');
}
const removeService = [];
for (let i = 0; i < runs; i++) {
  removeService.push(
    run(process.execPath, [bin, 'service', 'remove', 'svc-20', '--allow-destroy'], join(ws, 'acme-gitops')),
  );
  drop('remove-service-svc-20');
}
const line = (name, xs) =>
  `${name.padEnd(14)} median ${median(xs).toFixed(0)} ms, runs ${xs.map((x) => x.toFixed(0)).join(' ')} ms`;
console.log(line('env add', add));
console.log(line('env remove', remove));
console.log(line('service remove', removeService));
rmSync(ws, { recursive: true, force: true });
