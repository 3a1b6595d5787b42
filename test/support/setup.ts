/**
 * Loaded by mocha before any test file (.mocharc.json `require`), so it holds for every run,
 * whichever files are given:
 * - the build under test is the current code: dist/ is rebuilt when a source is newer;
 * - every temporary file of the run goes into one folder of its own (TMPDIR); at the end the
 *   folders made with tempDir() are removed, and anything else left there fails the run (the
 *   folder is removed either way);
 * - an excuse (GITOPS_PLATFORM_EXCUSED) that names no test fails the run, so a typo cannot
 *   silently excuse nothing.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { staleBuild } from './build.ts';
import { EXCUSE_VARIABLE, excused, unknownExcuses } from './skips.ts';
import { removeTempDirs } from './temp.ts';
import { repoRoot } from './workspace.ts';

const stale = staleBuild();
if (stale) {
  console.log(`  rebuilding dist/ (${stale}): npm run build`);
  const build = spawnSync('npm', ['run', 'build', '--silent'], {
    cwd: repoRoot,
    stdio: 'inherit',
    timeout: 120_000,
  });
  if (build.status !== 0) throw new Error(`npm run build failed (${build.error?.message ?? `exit ${build.status}`})`);
  const still = staleBuild();
  if (still) throw new Error(`dist/ is still stale after npm run build: ${still}`);
}

// os.tmpdir() reads TMPDIR on every call, and child processes inherit it.
const outerTmp = tmpdir();
const runTmp = mkdtempSync(join(outerTmp, 'gitops-platform-test-'));
// Traversable by the non-root user the yo test runs as (each test folder keeps its own mode).
chmodSync(runTmp, 0o711);
process.env.TMPDIR = runTmp;

// A run that never reaches the root hooks (mocha --dry-run, a file that fails to load) still
// removes its own folder.
process.on('exit', () => rmSync(runTmp, { recursive: true, force: true }));

export const mochaHooks = {
  beforeAll(this: Mocha.Context): void {
    const unknown = unknownExcuses();
    if (unknown.length > 0) {
      throw new Error(`GITOPS_PLATFORM_EXCUSED names tests that do not exist: ${unknown.join(', ')}`);
    }
  },
  afterAll(this: Mocha.Context): void {
    // Removing every workspace of the run (app repos with node_modules among them) takes time.
    this.timeout(300_000);
    if (excused.length > 0) {
      console.log(`\n  NOT RUN, excused by ${EXCUSE_VARIABLE}:\n${excused.map((line) => `    ${line}`).join('\n')}`);
    }
    process.env.TMPDIR = outerTmp;
    removeTempDirs();
    const left = existsSync(runTmp) ? readdirSync(runTmp) : [];
    rmSync(runTmp, { recursive: true, force: true });
    if (left.length > 0) {
      throw new Error(`tests left ${left.length} entries in the temp folder (removed now): ${left.sort().join(', ')}`);
    }
  },
};
