// Times `gitops-platform new --defaults` end to end as a whole process (start-up, render, write,
// three git repos with their commits), several runs, and prints the median, the files written and
// the peak memory. A benchmark, not a test: run it with `npm run bench` on a quiet machine.
//   npm run bench -- [runs]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const runs = Number(process.argv[2] ?? 9);
const bin = new URL('../bin/gitops-platform.js', import.meta.url).pathname;
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

function series(extra) {
  const times = [];
  let files = 0;
  let peak = 0;
  for (let i = 0; i < runs; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-new-'));
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, ['--import', reportRss, bin, 'new', '--defaults', ...extra], {
      cwd: dir,
      encoding: 'utf8',
    });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0) throw new Error(`run ${i} failed:\n${result.stderr}`);
    times.push(ms);
    files = countFiles(dir);
    peak = Math.max(peak, Number(/maxrss (\d+)/.exec(result.stderr)?.[1] ?? 0));
    rmSync(dir, { recursive: true, force: true });
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(
    `gitops-platform new --defaults${extra.map((a) => ` ${a}`).join('')}, ${runs} runs (whole process, with git commits)`,
  );
  console.log(`  median ${median.toFixed(0)} ms   min ${times[0].toFixed(0)} ms   max ${times.at(-1).toFixed(0)} ms`);
  console.log(`  files written ${files}   peak memory ${(peak / 1024).toFixed(1)} MiB`);
}

// As users run it (the app's package-lock.json resolved by npm, warm npm cache), and without that
// network-bound step.
series([]);
series(['--skip-install']);
