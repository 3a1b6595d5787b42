// Argo CD in one cluster of the live test bed: the real argocd-repo-server,
// argocd-application-controller and argocd-server (one binary, run by those names), each with its
// own redis, on 127.0.0.1. With ARGOCD_FAKE_IN_CLUSTER=true Argo CD maps
// https://kubernetes.default.svc to $KUBECONFIG, so the Applications deploy into this cluster
// exactly as they name it.
//
// Stand-in: the argo-cd Helm chart (it lives on the internet). The bed runs the same components
// with the configuration the chart would write: its default argocd-cm merged with the infra repo's
// `configs.cm`, the env vars it maps from argocd-cm, and the labels Argo CD looks for.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster } from './cluster.ts';
import { type BedProcess, freePort, start, tail, waitFor } from './processes.ts';

/**
 * What the argo-cd chart (10.1.1) writes into argocd-cm when configs.cm adds nothing, for what
 * matters here: its exclusions of kinds these clusters do not have (cert-manager, Cilium, Kyverno)
 * and its update filters other than the one for /status are left out.
 */
export const chartDefaultCm: Record<string, string> = {
  'admin.enabled': 'true',
  'application.instanceLabelKey': 'argocd.argoproj.io/instance',
  'application.sync.impersonation.enabled': 'false',
  'exec.enabled': 'false',
  'statusbadge.enabled': 'false',
  'timeout.hard.reconciliation': '0s',
  'timeout.reconciliation': '120s',
  'timeout.reconciliation.jitter': '60s',
  url: 'https://argocd.example.com',
  'resource.customizations.ignoreResourceUpdates.all': 'jsonPointers:\n- /status\n',
  'resource.exclusions': [
    '- apiGroups: ["", "discovery.k8s.io"]',
    '  kinds: [Endpoints, EndpointSlice]',
    '- apiGroups: [coordination.k8s.io]',
    '  kinds: [Lease]',
    '- apiGroups: [authentication.k8s.io, authorization.k8s.io]',
    '  kinds: [SelfSubjectReview, TokenReview, LocalSubjectAccessReview, SelfSubjectAccessReview, SelfSubjectRulesReview, SubjectAccessReview]',
    '- apiGroups: [certificates.k8s.io]',
    '  kinds: [CertificateSigningRequest]',
    '',
  ].join('\n'),
};

export interface ArgoCd {
  namespace: string;
  serverUrl: string;
  procs: BedProcess[];
}

export interface ArgoCdOptions {
  cluster: Cluster;
  bin: string;
  crdDir: string;
  /** Extra PATH entries (helm). */
  path: string[];
  /** argocd-cm data from the infra repo's chart values (configs.cm), over the chart's defaults. */
  cm: Record<string, string>;
  /** argocd-secret data the platform sets (for example webhook.github.secret). */
  secret?: Record<string, string>;
  /** Extra environment of the repo-server (the stand-in chart repository's proxy and CA). */
  repoServerEnv?: NodeJS.ProcessEnv;
}

export async function startArgoCd(o: ArgoCdOptions): Promise<ArgoCd> {
  const { cluster } = o;
  const namespace = 'argocd';
  const dir = join(cluster.dir, 'argocd');
  const logs = join(dir, 'logs');
  mkdirSync(logs, { recursive: true });
  cluster.kubectl(['create', 'namespace', namespace]);
  cluster.kubectl([
    'apply',
    '--server-side',
    '-f',
    join(o.crdDir, 'application-crd.yaml'),
    '-f',
    join(o.crdDir, 'appproject-crd.yaml'),
  ]);
  const cm = { ...chartDefaultCm, ...o.cm };
  const labels = { 'app.kubernetes.io/part-of': 'argocd' };
  const secretData = Object.fromEntries(
    Object.entries({ 'server.secretkey': randomBytes(32).toString('base64'), ...(o.secret ?? {}) }).map(([k, v]) => [
      k,
      Buffer.from(v).toString('base64'),
    ]),
  );
  cluster.apply([
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'argocd-cm', namespace, labels }, data: cm },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'argocd-cmd-params-cm', namespace, labels }, data: {} },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'argocd-rbac-cm', namespace, labels }, data: {} },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'argocd-secret', namespace, labels },
      type: 'Opaque',
      data: secretData,
    },
  ]);

  const redisPort = await freePort();
  const redis = start(
    'redis',
    'redis-server',
    ['--bind', '127.0.0.1', '--port', String(redisPort), '--save', '', '--appendonly', 'no', '--dir', dir],
    { logDir: logs },
  );
  const redisAddr = `127.0.0.1:${redisPort}`;
  const [repoPort, repoMetrics, ctrlMetrics, serverPort, serverMetrics] = await Promise.all(
    Array.from({ length: 5 }, () => freePort()),
  );
  const home = join(dir, 'home');
  const tmp = join(dir, 'tmp');
  mkdirSync(home, { recursive: true });
  mkdirSync(tmp, { recursive: true });
  // The env the chart maps from argocd-cm into the controller and the repo-server.
  const env: NodeJS.ProcessEnv = {
    PATH: [o.bin, ...o.path, process.env.PATH].join(':'),
    HOME: home,
    TMPDIR: tmp,
    KUBECONFIG: cluster.kubeconfig,
    ARGOCD_FAKE_IN_CLUSTER: 'true',
    ARGOCD_GPG_ENABLED: 'false',
    ARGOCD_RECONCILIATION_TIMEOUT: cm['timeout.reconciliation'],
    ARGOCD_HARD_RECONCILIATION_TIMEOUT: cm['timeout.hard.reconciliation'],
    ARGOCD_RECONCILIATION_JITTER: cm['timeout.reconciliation.jitter'],
    REDIS_SERVER: redisAddr,
    // The repo-server's git credential socket is /tmp/reposerver-ask-pass.sock unless set: one per
    // cluster, so the beds' repo-servers never answer each other's git (and leave nothing in /tmp).
    ARGOCD_ASK_PASS_SOCK: join(tmp, 'ask-pass.sock'),
  };
  const argocd = join(o.bin, 'argocd');
  const repoServer = start(
    'argocd-repo-server',
    argocd,
    [
      '--address=127.0.0.1',
      `--port=${repoPort}`,
      `--metrics-address=127.0.0.1`,
      `--metrics-port=${repoMetrics}`,
      '--disable-tls',
      '--client-ca-path=',
      `--redis=${redisAddr}`,
    ],
    { logDir: logs, env: { ...env, ...o.repoServerEnv, ARGOCD_BINARY_NAME: 'argocd-repo-server' } },
  );
  const repoAddr = `127.0.0.1:${repoPort}`;
  const controller = start(
    'argocd-application-controller',
    argocd,
    [
      `--namespace=${namespace}`,
      `--repo-server=${repoAddr}`,
      '--repo-server-plaintext',
      `--redis=${redisAddr}`,
      // The only listener of the bed that cannot be bound to 127.0.0.1 (Argo CD hard-codes
      // 0.0.0.0:<metrics-port>): scripts/e2e.sh runs the bed in a network namespace of its own
      // that has nothing but loopback.
      `--metrics-port=${ctrlMetrics}`,
    ],
    { logDir: logs, env: { ...env, ARGOCD_BINARY_NAME: 'argocd-application-controller' } },
  );
  const server = start(
    'argocd-server',
    argocd,
    [
      `--namespace=${namespace}`,
      '--address=127.0.0.1',
      `--port=${serverPort}`,
      `--metrics-address=127.0.0.1`,
      `--metrics-port=${serverMetrics}`,
      '--insecure',
      `--repo-server=${repoAddr}`,
      '--repo-server-plaintext',
      `--redis=${redisAddr}`,
      '--dex-server=',
      `--staticassets=${join(dir, 'no-ui')}`,
    ],
    { logDir: logs, env: { ...env, ARGOCD_BINARY_NAME: 'argocd-server' } },
  );
  const procs = [redis, repoServer, controller, server];
  const serverUrl = `http://127.0.0.1:${serverPort}`;
  await waitFor(
    `argocd-server of ${cluster.name} (log: ${server.log})`,
    async () => {
      for (const p of procs) if (p.child.exitCode !== null) throw new Error(`${p.name} exited:\n${tail(p.log)}`);
      const res = await fetch(`${serverUrl}/healthz`).catch(() => undefined);
      return res?.ok ? true : undefined;
    },
    120_000,
    500,
  );
  // argocd-server creates the default AppProject at start.
  await waitFor(
    `the default AppProject in ${cluster.name}`,
    () => {
      cluster.kubectl(['-n', namespace, 'get', 'appproject', 'default']);
      return true;
    },
    60_000,
    500,
  );
  writeFileSync(join(dir, 'endpoints.json'), JSON.stringify({ serverUrl, repoAddr, redisAddr }, null, 2));
  return { namespace, serverUrl, procs };
}
