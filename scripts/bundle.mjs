// Bundles the CLI into one ESM file. Resolving yeoman-environment's module graph file by file
// costs more than a second at start-up; one bundled file loads in a fraction of that.
// yeoman-environment and its dependencies use require/__dirname/__filename, so the banner
// provides them for the ESM bundle.
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

await build({
  entryPoints: ['generators/cli.ts'],
  outfile: 'dist/cli.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.17',
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [pinEnvironmentVersion],
  // Prefer packages' ESM builds: jsonc-parser's CommonJS build is UMD with dynamic requires.
  mainFields: ['module', 'main'],
  banner: {
    js: [
      "import { createRequire as __cr } from 'node:module';",
      "import { fileURLToPath as __fu } from 'node:url';",
      "import { dirname as __dn } from 'node:path';",
      'const require = __cr(import.meta.url);',
      'const __filename = __fu(import.meta.url);',
      'const __dirname = __dn(__filename);',
    ].join('\n'),
  },
});
