// Times `gitops-platform new --defaults` end to end as a whole process (start-up, render, write,
// three git repos with their commits) against `yo code` (generator-code 1.12, a TypeScript
// extension with a git repo), alternating the two in one run so both see the same machine, and
// prints the medians and their ratio; then `new` as users run it, with the app's lockfile resolved
// by npm. A benchmark, not a test: run it with `npm run bench [-- runs]` on a quiet machine.
// generator-code and yo are installed once into ~/.cache/gitops-platform/bench from the npm
// registry this machine is configured with.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

const runs = Number(process.argv[2] ?? 9);
const TARGET = 0.2;
const bin = new URL('../bin/gitops-platform.js', import.meta.url).pathname;
const benchCache = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'gitops-platform', 'bench');
// Printed by the child at exit: the process's own peak resident memory, in KiB.
const reportRss = `data:text/javascript,${encodeURIComponent(
  "process.on('exit', () => process.stderr.write('\\nmaxrss ' + process.resourceUsage().maxRSS + '\\n'));",
)}`;

function countFiles(dir) {
  let n = 0;
  for (const entry of readdirSync(dir)) {
    if (entry === '.git') continue;
    const full = join(dir, entry);
    n += statSync(full).isDirectory() ? countFiles(full) : 1;
  }
  return n;
}

function installYoCode() {
  const yo = join(benchCache, 'node_modules', 'yo', 'lib', 'cli.js');
  if (!existsSync(join(benchCache, 'node_modules', 'generator-code'))) {
    mkdirSync(benchCache, { recursive: true });
    const result = spawnSync(
      'npm',
      [
        'install',
        '--prefix',
        benchCache,
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        'generator-code@1.12',
        'yo@7.0.1',
      ],
      { stdio: 'inherit' },
    );
    if (result.status !== 0) throw new Error('npm install generator-code@1.12 yo@7.0.1 failed');
  }
  if (process.getuid?.() !== 0) return { yo, cleanup() {} };
  // yo, run as root, drops to nobody, who cannot read root's home: it runs from a world-readable copy.
  const copy = mkdtempSync(join(tmpdir(), 'bench-yo-'));
  chmodSync(copy, 0o755);
  cpSync(join(benchCache, 'node_modules'), join(copy, 'node_modules'), { recursive: true });
  return {
    yo: join(copy, 'node_modules', 'yo', 'lib', 'cli.js'),
    cleanup: () => rmSync(copy, { recursive: true, force: true }),
  };
}

/**
 * A HOME of one tool for the whole run, as a user's home is: caches (this bin's compiled code, yo's
 * settings) persist between runs. World-writable, since yo, run as root, drops to nobody first.
 */
function home() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-home-'));
  chmodSync(dir, 0o777);
  return dir;
}

/** One timed run in a fresh folder, as users run the tool; with `measureMemory`, untimed, its peak memory. */
function once(argv, homeDir, measureMemory = false) {
  const work = mkdtempSync(join(tmpdir(), 'bench-'));
  chmodSync(work, 0o777);
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [...(measureMemory ? ['--import', reportRss] : []), ...argv], {
    cwd: work,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, HOME: homeDir, XDG_CACHE_HOME: '', NO_UPDATE_NOTIFIER: '1' },
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${argv.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  const files = countFiles(work);
  const rss = Number(/maxrss (\d+)/.exec(result.stderr)?.[1] ?? 0);
  rmSync(work, { recursive: true, force: true });
  return { ms: measureMemory ? Number.NaN : ms, files, rss };
}

/** Prints the timed samples' spread, and files and peak memory from one untimed run. */
function summary(label, samples, memory) {
  const times = samples.map((s) => s.ms).sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(label);
  console.log(`  median ${median.toFixed(0)} ms   min ${times[0].toFixed(0)} ms   max ${times.at(-1).toFixed(0)} ms`);
  console.log(`  files written ${memory.files}   peak memory ${(memory.rss / 1024).toFixed(1)} MiB`);
  return median;
}

const { yo, cleanup } = installYoCode();
process.on('exit', cleanup);
const ours = [bin, 'new', '--defaults', '--skip-install'];
const theirs = [
  yo,
  'code',
  'ext',
  '--quick',
  '--extensionType=ts',
  '--extensionDisplayName=ext',
  '--pkgManager=npm',
  '--gitInit',
  '--skipOpen',
  '--skip-install',
  '--no-insight',
];
const homes = [home(), home()];
process.on('exit', () => {
  for (const dir of homes) rmSync(dir, { recursive: true, force: true });
});
// One untimed run each first, as after an install: caches filled, files in the page cache. It also
// measures peak memory, which needs a preloaded hook that the timed runs go without.
const memory = [once(ours, homes[0], true), once(theirs, homes[1], true)];
const a = [];
const b = [];
for (let i = 0; i < runs; i++) {
  a.push(once(ours, homes[0]));
  b.push(once(theirs, homes[1]));
}
const mine = summary(
  `gitops-platform new --defaults --skip-install, ${runs} runs (3 repos, each with its commit)`,
  a,
  memory[0],
);
const code = summary(
  `yo code (generator-code 1.12, TypeScript extension, git init, --skip-install), ${runs} runs`,
  b,
  memory[1],
);
const ratio = mine / code;
console.log(
  `ratio ${ratio.toFixed(2)}x of yo code (target at most ${TARGET}x): ${ratio <= TARGET ? 'met' : 'NOT met'}`,
);

// As users run it: the app's package-lock.json resolved by npm (warm npm cache).
const users = [bin, 'new', '--defaults'];
summary(
  `gitops-platform new --defaults, ${runs} runs (with npm resolving the app's lockfile)`,
  Array.from({ length: runs }, () => once(users, homes[0])),
  once(users, homes[0], true),
);
process.exitCode = ratio <= TARGET ? 0 : 1;
