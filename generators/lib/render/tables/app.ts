/**
 * Files of a service's application repo (`<service>`), under templates/app-node/. `new` and the
 * `service` command both render it for one service (renderRepo(model, 'app', name)).
 *
 * Policy: the build, CI and repo plumbing stay `merge`, so `upgrade` keeps them in step with the
 * generator; the service's own code, its tests and package.json (where the team adds dependencies)
 * are `once`: the team owns them after creation.
 */
import type { FileRow } from '../render.ts';

export const appFiles: readonly FileRow[] = [
  { template: 'README.md' },
  { template: '.gitignore' },
  { template: '.dockerignore' },
  { template: '.editorconfig' },
  { template: '.nvmrc' },
  { template: 'renovate.json' },
  { template: 'Dockerfile' },
  { template: '.github/workflows/ci.yaml' },
  { template: 'biome.json' },
  { template: 'tsconfig.json' },
  { template: 'tsconfig.build.json' },
  { template: 'package.json', policy: 'once' },

  { template: 'src/server.ts', policy: 'once' },
  { template: 'src/lifecycle.ts', policy: 'once' },
  { template: 'src/app.ts', policy: 'once' },
  { template: 'src/router.ts', policy: 'once' },
  { template: 'src/config.ts', policy: 'once' },
  { template: 'src/logger.ts', policy: 'once' },
  { template: 'src/secrets.ts', policy: 'once' },

  { template: 'test/helpers.ts', policy: 'once' },
  { template: 'test/config.test.ts', policy: 'once' },
  { template: 'test/app.test.ts', policy: 'once' },
  { template: 'test/shutdown.test.ts', policy: 'once' },
  { template: 'test/secrets.test.ts', policy: 'once' },
  // The newest release's upgrade as a weekly pull request (the same files in every repo).
  { template: '.github/workflows/template-update.yaml', tree: 'common' },
  { template: 'scripts/template-update.sh', tree: 'common' },
];
