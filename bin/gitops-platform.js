#!/usr/bin/env node
// Entry point of the package's own bin. It loads the bundled CLI (dist/cli.mjs, built by
// `npm run build`), which starts much faster than resolving yeoman-environment's module graph.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/cli.mjs', import.meta.url);
if (!existsSync(bundle)) {
  console.error('gitops-platform: dist/cli.mjs is missing; run `npm run build` (npm ci runs it for you).');
  process.exit(1);
}
const { main } = await import(bundle.href);
process.exitCode = await main(process.argv.slice(2));
