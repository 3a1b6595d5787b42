// Bundles the CLI into one CommonJS file, which bin/gitops-platform.js runs with a V8 code cache.
// Resolving yeoman-environment's module graph file by file costs more than a second at start-up;
// one bundled file loads in a fraction of that.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
// tsc has compiled the sources into dist/ before this runs (npm run build).
import { templateSource } from '../dist/generators/lib/render/templates.js';

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

// string-width (under inquirer's prompts and ora) builds an Intl.Segmenter and a \p{RGI_Emoji}
// regular expression when it loads: 20 ms of every run of the bin (ICU's break data, and the
// emoji sequences), though it needs neither for plain ASCII, its fast path. In the bundle both are
// made on first use. A string-width whose source differs fails the build, so an update is seen.
const lazyStringWidth = {
  name: 'lazy-string-width',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]string-width[\\/]index\.js$/ }, (args) => {
      const eager = {
        'const segmenter = new Intl.Segmenter();':
          'let madeSegmenter;\nconst segmenter = { segment: (text) => (madeSegmenter ??= new Intl.Segmenter()).segment(text) };',
        'const rgiEmojiRegex = /^\\p{RGI_Emoji}$/v;':
          'let madeRgiEmojiRegex;\nconst rgiEmojiRegex = { test: (text) => (madeRgiEmojiRegex ??= /^\\p{RGI_Emoji}$/v).test(text) };',
      };
      let contents = readFileSync(args.path, 'utf8');
      for (const [from, to] of Object.entries(eager)) {
        if (!contents.includes(from)) throw new Error(`bundle: ${args.path} no longer has \`${from}\``);
        contents = contents.replace(from, to);
      }
      return { contents, loader: 'js' };
    });
  },
};

// Where the templates come from and where the bundle goes: the package's own, unless a test builds
// a stand-in for an older version from edited templates (test/support/versions.ts).
const templatesDir = process.env.BUNDLE_TEMPLATES ?? 'templates';
const outfile = process.env.BUNDLE_OUTFILE ?? 'dist/cli.cjs';

// Every template compiled ahead of time: the bin then never parses EJS, and V8's code cache keeps
// the templates' compiled code between runs (a third of `new`'s render time was EJS compiling).
// generators/lib/render/precompiled.ts is empty in the sources, which compile on first use.
function templateFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? templateFiles(path) : path.endsWith('.ejs') ? [path] : [];
  });
}
const precompileTemplates = {
  name: 'precompile-templates',
  setup(b) {
    b.onLoad({ filter: /generators[\\/]lib[\\/]render[\\/]precompiled\.ts$/ }, () => {
      const entries = templateFiles(templatesDir).map((file) => {
        const path = relative(templatesDir, file).split('\\').join('/');
        const body = templateSource(readFileSync(file, 'utf8'), path);
        return `${JSON.stringify(path)}: function (locals, escapeFn) {\n${body}\n}`;
      });
      return { contents: `export const precompiled = {\n${entries.join(',\n')}\n};\n`, loader: 'js' };
    });
  },
};

// Parts of yeoman-environment, yeoman-generator and inquirer the bin never reaches: installing
// generators and packages (fly-import, which loads npm's arborist and pacote), resolving the latest
// version of a dependency (latest-version, which loads an HTTP client), the editor prompt, running
// commands through execa or simple-git, globbing, and normalizing package.json data.
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
  // Used by yeoman-generator's spawnCommand and this.simpleGit, and by the environment's package
  // installs and generator lookup; lib/repos/git.ts and npm.ts run git and npm themselves.
  execa: `const no = () => { ${fail('running commands through execa')}; };
    export const execa = no, execaSync = no, execaCommand = no, execaCommandSync = no;`,
  'simple-git': `export function simpleGit() { ${fail('simple-git')}; }
    export const CheckRepoActions = {}, CleanOptions = {};`,
  // read-pkg's normalizing, which yeoman-generator turns off (normalize: false) when it reads a
  // package.json; loading it builds the SPDX license tables (9 ms).
  'normalize-package-data': `export default function normalize() { ${fail('normalize-package-data')}; }`,
  // Only looking up installed generators and mem-fs-editor's glob copies use it.
  globby: `const no = () => { ${fail('globby')}; };
    export const globby = no, globbySync = no, globbyStream = no, isDynamicPattern = no,
      isGitIgnored = no, isGitIgnoredSync = no, generateGlobTasks = no, generateGlobTasksSync = no;`,
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
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20.17',
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [pinEnvironmentVersion, leaveOut, lazyStringWidth, precompileTemplates],
  // Prefer packages' ESM builds: jsonc-parser's CommonJS build is UMD with dynamic requires.
  mainFields: ['module', 'main'],
  define: { 'import.meta.url': '__bundleUrl' },
  // Less to read and parse at every start; identifiers stay, so stack traces (DEBUG=1) still read.
  minifyWhitespace: true,
  minifySyntax: true,
  banner: { js: "var __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
});
