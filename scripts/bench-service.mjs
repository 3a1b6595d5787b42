// Adds 100 services one after another to a fresh demo platform, each as a whole
// `gitops-platform service` process, and prints the time of each add. A benchmark, not a test.
//   node scripts/bench-service.mjs [count]
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const count = Number(process.argv[2] ?? 100);
const bin = new URL('../bin/gitops-platform.js', import.meta.url).pathname;
const ws = mkdtempSync(join(tmpdir(), 'bench-service-'));

function cli(args) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: ws, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${args.join(' ')} failed:\n${result.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

// --skip-install: the npm lockfile step talks to the registry; this measures the generator.
cli(['new', '--defaults', '--skip-install']);
const times = [];
for (let i = 1; i <= count; i++) {
  const name = `svc-${String(i).padStart(3, '0')}`;
  times.push(cli(['service', name, '--skip-install']));
  console.log(`add ${String(i).padStart(3)} ${name}  ${times.at(-1).toFixed(0)} ms`);
}
const first = times[0];
const last = times.at(-1);
const slowest = Math.max(...times);
console.log(
  `first ${first.toFixed(0)} ms, last ${last.toFixed(0)} ms (${(last / first).toFixed(2)}x), slowest ${slowest.toFixed(0)} ms`,
);
console.log(`workspace: ${ws}`);
