/**
 * Times `gitops-platform upgrade` on a workspace of 20 services (22 repos) made by an older version
 * that is already in the version cache (a copy of this package with another version number and one
 * template line changed, as the tests make it). A benchmark, not a test:
 *   npx tsx scripts/bench-upgrade.ts [services]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { olderVersion } from '../test/support/versions.ts';

const count = Number(process.argv[2] ?? 20);
const bin = new URL('../bin/gitops-platform.js', import.meta.url).pathname;
const older = olderVersion('0.0.7', (templates) => {
  const file = join(templates, 'gitops', 'README.md.ejs');
  writeFileSync(file, readFileSync(file, 'utf8').replace('The desired state of every', 'The desired state of all'));
});
const env = { ...process.env, GITOPS_PLATFORM_VERSIONS: older.cache, GITOPS_PLATFORM_OFFLINE: '1' };
const ws = mkdtempSync(join(tmpdir(), 'bench-upgrade-'));

function run(file: string, args: string[]): { ms: number; status: number | null; out: string } {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [file, ...args], { cwd: ws, env, encoding: 'utf8' });
  return {
    ms: Number(process.hrtime.bigint() - start) / 1e6,
    status: result.status,
    out: result.stdout + result.stderr,
  };
}

function must(file: string, args: string[]) {
  const result = run(file, args);
  if (result.status !== 0) throw new Error(`${args.join(' ')}: ${result.out}`);
}

must(older.bin, ['new', '--defaults', '--skip-install']);
for (let i = 2; i <= count; i++) must(older.bin, ['service', `svc-${i}`, '--skip-install', '--current-branch']);
const check = run(bin, ['upgrade', '--check']);
if (check.status !== 2) throw new Error(`upgrade --check should report pending changes:\n${check.out}`);
const apply = run(bin, ['upgrade']);
if (apply.status !== 0) throw new Error(`upgrade failed:\n${apply.out}`);
console.log(`upgrade of ${count} services (${count + 2} repos) from 0.0.7, older version cached:`);
console.log(`  --check ${check.ms.toFixed(0)} ms   apply ${apply.ms.toFixed(0)} ms`);
console.log(`workspace: ${ws}`);
