// The live test bed: one cluster per environment of a generated workspace (each EKS cluster of the
// platform is its own API server here, sharing one etcd under prefixes), a real Argo CD in each, the
// GitOps repo served from a git server on 127.0.0.1, and stand-ins for what lives on the internet.
// Every process listens on 127.0.0.1 and is stopped by PID in stop().
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { renderRepo } from '../../../generators/lib/render/render.ts';
import { findTool } from '../tools.ts';
import { modelFor } from '../workspace.ts';
import { externalSecretsStandIn, loadBalancerControllerStandIn } from './addon-charts.ts';
import { type ArgoCd, startArgoCd } from './argocd.ts';
import { type Cluster, startCluster } from './cluster.ts';
import { startEtcd } from './etcd.ts';
import { makePki, type Pki } from './pki.ts';
import { type BedProcess, type KubeObject, sleep, start, stopAll, stopOnExit, waitFor } from './processes.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..', '..');

export const testbedDir = () =>
  process.env.GITOPS_PLATFORM_TESTBED || join(homedir(), '.cache', 'gitops-platform', 'testbed');

/** What the bed needs, or the reason it cannot start (the caller skips or fails with it). */
export function missingComponents(): string[] {
  const bin = join(testbedDir(), 'bin');
  const missing = [
    'etcd',
    'kube-apiserver',
    'kube-controller-manager',
    'kube-scheduler',
    'kubectl',
    'kwok',
    'argocd',
    'git-verify-wrapper.sh',
  ]
    .filter((b) => !existsSync(join(bin, b)))
    .map((b) => `${b} (run scripts/testbed/build.sh)`);
  for (const tool of ['helm', 'yq']) if (!findTool(tool)) missing.push(`${tool} (run scripts/install-tools.sh)`);
  for (const cmd of ['redis-server', 'git', 'openssl']) {
    try {
      execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore', timeout: 10_000 });
    } catch {
      missing.push(`${cmd} (apt-get install ${cmd === 'redis-server' ? 'redis-server' : cmd})`);
    }
  }
  return missing;
}

export interface Environment {
  name: string;
  cluster: Cluster;
  argocd: ArgoCd;
}

export interface Bed {
  dir: string;
  pki: Pki;
  environments: Environment[];
  env: (name: string) => Environment;
  /** URL of a repository on the bed's git server, `<owner>/<name>.git`. */
  gitUrl: (path: string) => string;
  /** Creates an empty bare repository on the git server and returns its URL. */
  createRepo: (path: string) => string;
  /**
   * Starts the cluster and Argo CD of an environment added later (what applying its new root
   * does), at `position` in the promotion order.
   */
  addEnvironment: (name: string, position: number) => Promise<Environment>;
  /** What the bed stands in for, to print with the results. */
  standIns: string[];
  stop: () => Promise<void>;
}

async function portFromFile(what: string, file: string, proc: BedProcess): Promise<number> {
  return waitFor(
    what,
    () => {
      if (proc.child.exitCode !== null) throw new Error(`${proc.name} exited`);
      return existsSync(file) ? Number(readFileSync(file, 'utf8')) || undefined : undefined;
    },
    15_000,
    100,
  );
}

export interface BedOptions {
  environments: string[];
  /** The GitOps repo's platform add-on Applications, to stand in for their charts. */
  addonApplications: Record<string, KubeObject>[];
  /** argocd-cm data per environment (from the infra repo). */
  argocdCm: (env: string) => Record<string, string>;
  /** argocd-secret data per environment that the platform would set. */
  argocdSecret?: (env: string) => Record<string, string>;
  /** What the team stores in Secrets Manager per environment (name -> value). */
  secretsManager?: (env: string) => Record<string, string>;
  zones: string[];
}

export async function startBed(o: BedOptions): Promise<Bed> {
  stopOnExit();
  const base = testbedDir();
  const bin = join(base, 'bin');
  const dir = mkdtempSync(join(tmpdir(), 'gitops-platform-bed-'));
  const logs = join(dir, 'logs');
  mkdirSync(logs, { recursive: true });
  const standIns: string[] = [];
  try {
    const chartHosts = [...new Set(o.addonApplications.map((a) => new URL(a.spec.source.repoURL).hostname))];
    const pki = makePki(join(dir, 'pki'), ['kubernetes.default.svc', ...chartHosts]);
    const etcd = await startEtcd(dir, bin);

    const gitRoot = join(dir, 'git');
    mkdirSync(gitRoot, { recursive: true });
    const gitProc = start(
      'git-http-server',
      process.execPath,
      [join(here, 'git-http-server.mjs'), gitRoot, join(dir, 'git.port')],
      {
        logDir: logs,
      },
    );
    const gitPort = await portFromFile('the git server', join(dir, 'git.port'), gitProc);
    const gitUrl = (path: string) => `http://127.0.0.1:${gitPort}/${path}`;

    // Stand-ins for the add-on charts, served under their own URLs through a proxy.
    const helm = findTool('helm') as string;
    const mappings: string[] = [];
    const charts = new Map(
      o.addonApplications.map((a) => [`${a.spec.source.chart}@${a.spec.source.targetRevision}`, a]),
    );
    for (const app of charts.values()) {
      const src = app.spec.source;
      if (src.chart === 'external-secrets') {
        const repo = externalSecretsStandIn(
          join(dir, 'charts', 'external-secrets'),
          join(repoRoot, '..', 'shared', 'data', 'crd-schemas'),
          String(src.targetRevision),
          helm,
        );
        mappings.push(`${repo.url}=${repo.dir}`);
        standIns.push(
          `chart ${src.chart} ${src.targetRevision} from ${src.repoURL}: a stand-in chart with its CRDs (real schemas), RBAC, service account and controller Deployment, served under that URL`,
          'the External Secrets controller: the bed reports each ClusterSecretStore Ready (it would check AWS), and syncs each ExternalSecret from a stand-in for Secrets Manager',
        );
      } else if (src.chart === 'aws-load-balancer-controller') {
        const repo = loadBalancerControllerStandIn(
          join(dir, 'charts', 'aws-load-balancer-controller'),
          String(src.targetRevision),
          helm,
        );
        mappings.push(`${repo.url}=${repo.dir}`);
        standIns.push(
          `chart ${src.chart} ${src.targetRevision} from ${src.repoURL}: a stand-in chart with its CRDs, IngressClass, RBAC and controller Deployment, served under that URL`,
          'the AWS Load Balancer Controller: the bed publishes a load balancer address on each Ingress',
        );
      } else {
        throw new Error(
          `no stand-in for the add-on chart ${src.chart} from ${src.repoURL} (it cannot be fetched here)`,
        );
      }
    }
    const repoServerEnv: NodeJS.ProcessEnv = { SSL_CERT_FILE: pki.caCert, NO_PROXY: '127.0.0.1,localhost' };
    if (mappings.length) {
      const proxy = start(
        'chart-repo-proxy',
        process.execPath,
        [join(here, 'chart-repo-proxy.mjs'), join(dir, 'proxy.port'), pki.serverCert, pki.serverKey, ...mappings],
        { logDir: logs },
      );
      const proxyPort = await portFromFile('the chart repository proxy', join(dir, 'proxy.port'), proxy);
      repoServerEnv.HTTPS_PROXY = `http://127.0.0.1:${proxyPort}`;
    }

    const helmDir = dirname(helm);
    const crdDir = join(base, 'argocd');
    const environments: Environment[] = [];
    const startEnvironment = async (name: string): Promise<Environment> => {
      const cluster = await startCluster({
        name,
        secrets: o.secretsManager?.(name),
        bedDir: dir,
        bin,
        etcdUrl: etcd.url,
        etcdPrefix: `/${name}`,
        pki,
        zones: o.zones,
      });
      const argocd = await startArgoCd({
        cluster,
        bin,
        crdDir,
        path: [helmDir],
        cm: o.argocdCm(name),
        secret: o.argocdSecret?.(name),
        repoServerEnv,
      });
      return { name, cluster, argocd };
    };
    // One at a time: each start is short, and the API servers' first start is CPU-heavy.
    for (const name of o.environments) environments.push(await startEnvironment(name));
    return {
      dir,
      pki,
      environments,
      env: (name) => {
        const e = environments.find((x) => x.name === name);
        if (!e) throw new Error(`no environment ${name} in the bed`);
        return e;
      },
      gitUrl,
      createRepo: (path) => {
        execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', join(gitRoot, path)], {
          timeout: 30_000,
        });
        return gitUrl(path);
      },
      addEnvironment: async (name, position) => {
        const env = await startEnvironment(name);
        environments.splice(position, 0, env);
        return env;
      },
      standIns,
      stop: async () => {
        await stopAll();
        if (!process.env.GITOPS_PLATFORM_KEEP_BED) rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await stopAll();
    await sleep(100);
    if (!process.env.GITOPS_PLATFORM_KEEP_BED) rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Every add-on Application this version of the generator can write (rendered with the answer set
 * that turns every add-on on), so that an add-on an upgrade brings in has its stand-in too.
 */
export function everyAddonApplication(): KubeObject[] {
  const model = modelFor('full');
  const prefix = `argocd/${model.environments[0].name}/platform/`;
  return renderRepo(model, 'gitops')
    .files.filter((f) => f.path.startsWith(prefix))
    .map((f) => parse(String(f.content)))
    .filter((doc) => doc?.kind === 'Application' && doc.spec?.source?.chart);
}

/** The platform add-on Applications of an environment folder of the GitOps repo. */
export function addonApplications(gitopsDir: string, env: string): Record<string, KubeObject>[] {
  const dir = join(gitopsDir, 'argocd', env, 'platform');
  const out: Record<string, KubeObject>[] = [];
  for (const f of readdirSync(dir).sort()) {
    const doc = parse(readFileSync(join(dir, f), 'utf8'));
    if (doc?.kind === 'Application' && doc.spec?.source?.chart) out.push(doc);
  }
  return out;
}
