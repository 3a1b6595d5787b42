#!/usr/bin/env node
// Entry point of the package's own bin. It runs the bundled CLI (dist/cli.cjs, built by
// `npm run build`), which starts much faster than resolving yeoman-environment's module graph, and
// keeps V8's compiled code for it in ~/.cache/gitops-platform/compile, so later runs skip parsing
// and compiling most of it (ES modules have no code cache on Node 20). A cache that cannot be
// written is simply not kept. This file is CommonJS (bin/package.json), which starts 10 ms sooner
// than an ES module entry.
const { createHash } = require('node:crypto');
const { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { homedir } = require('node:os');
const { dirname, join } = require('node:path');
const vm = require('node:vm');

// Until the CLI takes over the signals (at the start of main), an interrupt stops a run that has
// not begun anything; once main has returned, it only ends the process with main's exit code.
// These listeners stay to the end: removing the last listener of a signal drops one that arrived
// and is still waiting to be handled, and the default action would report a finished run as killed.
let phase = 'loading';
const onSignal = (signal) => {
  if (phase === 'main') return; // the CLI handles it
  if (phase === 'loading') console.error('Interrupted; nothing was changed.');
  process.exit(phase === 'loading' ? (signal === 'SIGINT' ? 130 : 143) : process.exitCode);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const bundle = join(__dirname, '..', 'dist', 'cli.cjs');
if (!existsSync(bundle)) {
  console.error('gitops-platform: dist/cli.cjs is missing; run `npm run build` (npm ci runs it for you).');
  process.exit(1);
}
const source = readFileSync(bundle, 'utf8');
const cacheDir = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'gitops-platform', 'compile');
// One cache per command: each holds the functions that command compiles, not only start-up's.
const command = ['new', 'service', 'upgrade', 'replay'].includes(process.argv[2]) ? process.argv[2] : 'other';
// V8 checks cached data against the source's length only, so the name carries a hash of the
// source itself: a rebuilt or upgraded bundle of the same length must never run old code.
const sourceHash = createHash('sha256').update(source).digest('hex').slice(0, 16);
const cacheFile = join(cacheDir, `cli-${command}-${process.version}-${process.arch}-${sourceHash}.v8`);
let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  // first run, or no cache yet
}
const script = new vm.Script(Module.wrap(source), {
  filename: bundle,
  cachedData,
  importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
});
const cli = { exports: {} };
script.runInThisContext()(cli.exports, Module.createRequire(bundle), cli, bundle, dirname(bundle));
phase = 'main';
cli.exports.main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  phase = 'done';
  if (cachedData === undefined || script.cachedDataRejected) {
    // After the run, so the functions it compiled are in the cache too; renamed into place whole.
    try {
      mkdirSync(cacheDir, { recursive: true });
      const partial = `${cacheFile}.${process.pid}`;
      writeFileSync(partial, script.createCachedData());
      renameSync(partial, cacheFile);
    } catch {
      // a read-only or full home: run without a cache
    }
  }
  // Exit here rather than let the event loop drain: while Node tears an ending process down it
  // gives SIGINT back its default action, and a Ctrl-C in that window (milliseconds on a busy
  // machine) would report a finished run as killed. process.exit keeps our listeners to the end;
  // it waits for stdout and stderr to be flushed (pipes are asynchronous on macOS).
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
});
