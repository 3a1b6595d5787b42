// Bundles the CLI into one CommonJS file, which bin/gitops-platform.js runs with a V8 code cache.
// Resolving yeoman-environment's module graph file by file costs more than a second at start-up;
// one bundled file loads in a fraction of that.
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

// yeoman-environment reads its own version with require('../package.json'); in the bundle that
// path would be this package's package.json, so the generator's version check would see ours.
const environmentVersion = JSON.parse(readFileSync('node_modules/yeoman-environment/package.json', 'utf8')).version;
const pinEnvironmentVersion = {
  name: 'pin-yeoman-environment-version',
  setup(b) {
    b.onLoad({ filter: /yeoman-environment[\\/]dist[\\/]environment-base\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const contents = source.replace("require('../package.json').version", JSON.stringify(environmentVersion));
      // A new yeoman-environment that reads its version differently must not pass unnoticed.
      if (contents === source)
        throw new Error('bundle: yeoman-environment no longer reads ../package.json as expected');
      return { contents, loader: 'js' };
    });
  },
};

// Parts of yeoman-environment, yeoman-generator and inquirer the bin never reaches: installing
// generators and packages (fly-import, which loads npm's arborist and pacote), resolving the latest
// version of a dependency (latest-version, which loads an HTTP client) and the editor prompt.
// Together they were half of the bin's start-up (700 ms -> 360 ms for --version here). In the
// bundle they are stand-ins that say so if anything ever calls them.
const fail = (what) =>
  `throw new Error('gitops-platform: ${what} is not part of the bundled bin (scripts/bundle.mjs)')`;
const unreachable = {
  // yeoman-environment makes a repository in its constructor, and would use it only to install.
  'fly-import': `
    export class FlyRepository {
      constructor(config) { this.repositoryPath = config.repositoryPath; }
      async install() { ${fail('installing packages (fly-import)')}; }
    }
    export async function flyImport() { ${fail('installing packages (fly-import)')}; }`,
  'latest-version': `export default async function latestVersion() { ${fail('looking up versions (latest-version)')}; }`,
  // Only inquirer's editor prompt uses it (with iconv-lite and chardet); no question of ours is one.
  '@inquirer/external-editor': `export async function editAsync() { ${fail('the editor prompt (@inquirer/external-editor)')}; }`,
};
const leaveOut = {
  name: 'leave-out-unreachable',
  setup(b) {
    const filter = new RegExp(`^(${Object.keys(unreachable).join('|').replaceAll('/', '\\/')})$`);
    b.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'unreachable' }));
    b.onLoad({ filter: /.*/, namespace: 'unreachable' }, (args) => ({
      loader: 'js',
      contents: unreachable[args.path],
    }));
  },
};

// CommonJS, so bin/gitops-platform.js can run it as a vm.Script with a V8 code cache (ES modules
// have no code cache on Node 20); import.meta.url becomes the bundle's own URL.
await build({
  entryPoints: ['generators/cli.ts'],
  outfile: 'dist/cli.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20.17',
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [pinEnvironmentVersion, leaveOut],
  // Prefer packages' ESM builds: jsonc-parser's CommonJS build is UMD with dynamic requires.
  mainFields: ['module', 'main'],
  define: { 'import.meta.url': '__bundleUrl' },
  // Less to read and parse at every start; identifiers stay, so stack traces (DEBUG=1) still read.
  minifyWhitespace: true,
  minifySyntax: true,
  banner: { js: "var __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
});
