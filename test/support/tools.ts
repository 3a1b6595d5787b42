// Helpers for tests that run the real validation tools (helm, kubeconform, actionlint, ...)
// installed by scripts/install-tools.sh at the versions pinned in scripts/tool-versions.env.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cannotRun } from './skips.ts';

// From this file, not process.cwd(): mocha may be started from anywhere.
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where install-tools.sh puts everything; same default as the script. */
export function toolsDir(): string {
  return process.env.GITOPS_PLATFORM_TOOLS || join(homedir(), '.cache', 'gitops-platform', 'tools');
}

/** The pins from scripts/tool-versions.env, so tests never repeat a version. */
export function toolVersions(): Record<string, string> {
  const pins: Record<string, string> = {};
  for (const line of readFileSync(join(repoRoot, 'scripts', 'tool-versions.env'), 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=("?)(.*)\2\s*$/.exec(line);
    if (m) pins[m[1]] = m[3];
  }
  return pins;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Every executable called `name`, in lookup order: the pinned build in toolsDir()/bin first, then PATH. */
function candidates(name: string): string[] {
  const dirs = [join(toolsDir(), 'bin'), ...(process.env.PATH ?? '').split(delimiter).filter(Boolean)];
  return dirs.map((dir) => join(dir, name)).filter(isExecutable);
}

/** Absolute path of a tool: the first of its candidates. */
export function findTool(name: string): string | undefined {
  return candidates(name)[0];
}

/**
 * Path of a tool the test needs. Locally a missing tool skips the test with a visible
 * reason; in CI it fails, so a broken install can never pass as a green run of skips.
 */
export function requireTool(ctx: Mocha.Context, name: string): string {
  const path = findTool(name);
  if (path) return path;
  cannotRun(ctx, `tool-${name}`, `${name} is not installed (run scripts/install-tools.sh)`);
}

function isMikefarahYq(path: string): boolean {
  const r = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  return r.status === 0 && /mikefarah/.test(`${r.stdout}${r.stderr}`);
}

/**
 * mikefarah yq v4, which the generated scripts need. Some systems have the Python `yq` first on
 * PATH, so every yq on the lookup path is tried; callers put the one found first on PATH.
 */
export function requireYq(ctx: Mocha.Context): string {
  const found = candidates('yq').find(isMikefarahYq);
  if (found) return found;
  cannotRun(ctx, 'tool-yq', 'mikefarah yq v4 is not installed (run scripts/install-tools.sh)');
}

/**
 * kubeconform arguments for offline validation: the Argo CD / External Secrets CRD schemas
 * in ../shared/data first, then the core Kubernetes schemas install-tools.sh prepared. Never
 * `default`, which downloads from the network. kubernetesVersion is "1.NN" or "1.NN.P"
 * and must be one of KUBERNETES_SCHEMA_VERSIONS; it defaults to KUBERNETES_SCHEMA_VERSION.
 */
export function kubeconformSchemaArgs(ctx: Mocha.Context, kubernetesVersion?: string): string[] {
  const pins = toolVersions();
  let version = kubernetesVersion ?? pins.KUBERNETES_SCHEMA_VERSION;
  if (/^\d+\.\d+$/.test(version)) version += '.0';
  const coreDir = join(toolsDir(), 'kubernetes-schemas');
  // kubeconform reports a missing schema dir as "could not find schema" per resource; say why.
  if (!existsSync(join(coreDir, `v${version}-standalone-strict`))) {
    throw new Error(
      `no Kubernetes ${version} schemas in ${coreDir} (prepared: ${pins.KUBERNETES_SCHEMA_VERSIONS}; run scripts/install-tools.sh)`,
    );
  }
  const crdDir = upstreamData(ctx, 'crd-schemas');
  return [
    '-schema-location',
    `${crdDir}/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json`,
    '-schema-location',
    `${coreDir}/{{.NormalizedKubernetesVersion}}-standalone{{.StrictSuffix}}/{{.ResourceKind}}{{.KindSuffix}}.json`,
    '-kubernetes-version',
    version,
  ];
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  /** Kills the command after this long (default 2 minutes): no hang can stall CI. */
  timeoutMs?: number;
  /** Throw, with the command's output, unless it exits 0. */
  check?: boolean;
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

function toolEnv(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  // Tools call each other (actionlint runs shellcheck), so the pinned ones must win.
  env.PATH = [join(toolsDir(), 'bin'), env.PATH].filter(Boolean).join(delimiter);
  // A TF_CLI_CONFIG_FILE naming a missing file makes tofu print a warning on stdout.
  if (env.TF_CLI_CONFIG_FILE && !existsSync(env.TF_CLI_CONFIG_FILE)) delete env.TF_CLI_CONFIG_FILE;
  return env;
}

export const DEFAULT_TIMEOUT_MS = 120_000;

/** Every file of one folder of a generated repo, relative to the repo (for a tool that takes a list). */
export function filesIn(repo: string, folder: string): string[] {
  return readdirSync(join(repo, folder))
    .sort()
    .map((f) => join(folder, f));
}

/**
 * For the Python tools (python-hcl2, checkov): their parser (lark) caches its grammar in the temp
 * folder. That cache belongs with the tools, not in the test run's temp folder, which must end empty.
 */
export function pythonCacheEnv(): NodeJS.ProcessEnv {
  const dir = join(toolsDir(), 'cache', 'tmp');
  mkdirSync(dir, { recursive: true });
  return { TMPDIR: dir };
}

/** spawnSync without a shell; output as text. */
export function run(cmd: string, args: string[], opts: RunOptions = {}): RunResult {
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd,
    env: toolEnv(opts.env),
    input: opts.input,
    timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    killSignal: 'SIGKILL',
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const result = { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  if (opts.check && (r.error || r.status !== 0)) {
    // Several tools (kubeconform, actionlint) report findings on stdout, so show both.
    const why = r.error ? r.error.message : r.signal ? `killed by ${r.signal}` : `exit ${r.status}`;
    throw new Error(
      `${cmd} ${args.join(' ')} failed (${why})\n--- stderr\n${result.stderr.trim()}\n--- stdout\n${result.stdout.trim()}`,
    );
  }
  return result;
}

/**
 * A command without blocking the event loop, for commands that run side by side or that talk to a
 * server in the test's own process. Unlike `run`, `env` is the whole environment, passed as is:
 * the callers keep theirs hermetic (no GIT_* or GITHUB_* from the machine).
 */
export function runAsync(
  cmd: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number },
) {
  return new Promise<RunResult>((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env,
      timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/**
 * A folder of the upstream facts the tests check against (CRD schemas, the pinned terraform-aws-
 * modules' interfaces), kept in ../shared/data beside the clone, not in it. Without it (a clone
 * made elsewhere) a test that needs it skips, visibly; in CI it fails.
 */
export function upstreamData(ctx: Mocha.Context, part: 'crd-schemas' | 'terraform-modules'): string {
  const dir = resolve(repoRoot, '..', 'shared', 'data', part);
  if (!existsSync(dir)) {
    cannotRun(
      ctx,
      'upstream-data',
      `${dir} is missing: the upstream facts the tests check against sit beside the clone`,
    );
  }
  return dir;
}
