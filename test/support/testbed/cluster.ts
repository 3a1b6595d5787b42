// One Kubernetes cluster of the live test bed: a real kube-apiserver (its own prefix in the bed's
// shared etcd), kube-controller-manager and kube-scheduler, and kwok, which plays the kubelet of
// three fake nodes (one per zone, like an EKS node group across three AZs): pods scheduled there
// turn Running and Ready without pulling images. Everything listens on 127.0.0.1 only.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Pki } from './pki.ts';
import { type BedProcess, freePort, type KubeObject, run, start, tail, waitFor } from './processes.ts';

export interface Cluster {
  name: string;
  dir: string;
  kubeconfig: string;
  server: string;
  procs: BedProcess[];
  /** kubectl against this cluster; throws with the output when it fails. */
  kubectl: (args: string[], input?: string) => string;
  /** kubectl get ... -o json, parsed. */
  getJson: <T = KubeObject>(args: string[]) => T;
  /** kubectl apply of objects (client-side, as their owner would create them). */
  apply: (objects: KubeObject[]) => string;
  /** Stand-in for AWS Secrets Manager in the environment's account: secret name -> value. */
  secretsManager: Record<string, string>;
}

export interface ClusterOptions {
  name: string;
  /** What Secrets Manager holds for this environment (the External Secrets stand-in reads it). */
  secrets?: Record<string, string>;
  bedDir: string;
  bin: string;
  etcdUrl: string;
  etcdPrefix: string;
  pki: Pki;
  zones: string[];
}

export async function startCluster(o: ClusterOptions): Promise<Cluster> {
  const dir = join(o.bedDir, 'clusters', o.name);
  const logs = join(dir, 'logs');
  mkdirSync(logs, { recursive: true });
  const token = randomBytes(24).toString('hex');
  writeFileSync(join(dir, 'tokens.csv'), `${token},testbed-admin,testbed-admin,"system:masters"\n`, { mode: 0o600 });
  const port = await freePort();
  const server = `https://127.0.0.1:${port}`;
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: o.name,
          cluster: { server, 'certificate-authority-data': readFileSync(o.pki.caCert).toString('base64') },
        },
      ],
      users: [{ name: 'admin', user: { token } }],
      contexts: [{ name: o.name, context: { cluster: o.name, user: 'admin' } }],
      'current-context': o.name,
    }),
    { mode: 0o600 },
  );
  const env = { ...process.env, KUBECONFIG: kubeconfig };
  const procs: BedProcess[] = [];
  const bin = (b: string) => join(o.bin, b);

  procs.push(
    start(
      'kube-apiserver',
      bin('kube-apiserver'),
      [
        `--etcd-servers=${o.etcdUrl}`,
        `--etcd-prefix=${o.etcdPrefix}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${port}`,
        `--tls-cert-file=${o.pki.serverCert}`,
        `--tls-private-key-file=${o.pki.serverKey}`,
        `--client-ca-file=${o.pki.caCert}`,
        `--token-auth-file=${join(dir, 'tokens.csv')}`,
        '--authorization-mode=RBAC',
        // As on EKS: privileged pods are not refused by the API server itself, so Pod Security
        // admission is what refuses them in a restricted namespace.
        '--allow-privileged=true',
        '--service-account-issuer=https://kubernetes.default.svc',
        `--service-account-key-file=${o.pki.saPub}`,
        `--service-account-signing-key-file=${o.pki.saKey}`,
        '--service-cluster-ip-range=10.96.0.0/16',
        // Outside a cluster no endpoint reconciler can publish 127.0.0.1 as the kubernetes Service.
        '--endpoint-reconciler-type=none',
        '--profiling=false',
        `--cert-dir=${join(dir, 'certs')}`,
        // Pod Security admission is on by default and enforces the namespace labels for real.
      ],
      { logDir: logs, env },
    ),
  );
  const kubectl = (args: string[], input?: string) =>
    run(bin('kubectl'), ['--kubeconfig', kubeconfig, ...args], { input, timeoutMs: 60_000 });
  const getJson = (args: string[]) => JSON.parse(kubectl(['get', ...args, '-o', 'json']));
  // The API server's warnings on an apply (a deprecated field, a finalizer name without a path)
  // are defects of what is applied: they fail the bed like an error.
  const apply = (objects: KubeObject[]) => {
    const result = spawnSync(bin('kubectl'), ['--kubeconfig', kubeconfig, 'apply', '-f', '-'], {
      input: objects.map((o) => JSON.stringify(o)).join('\n'),
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (result.status !== 0)
      throw new Error(`kubectl apply exited ${result.status}:\n${result.stdout}${result.stderr}`);
    const warnings = result.stderr.split('\n').filter((line) => line.startsWith('Warning:'));
    if (warnings.length > 0) throw new Error(`kubectl apply warned:\n${warnings.join('\n')}`);
    return result.stdout;
  };
  await waitFor(
    `the ${o.name} API server (log: ${procs[0].log})`,
    () => {
      if (procs[0].child.exitCode !== null) throw new Error(`exited:\n${tail(procs[0].log)}`);
      return kubectl(['get', '--raw=/readyz']).trim() === 'ok' ? true : undefined;
    },
    90_000,
    500,
  );

  procs.push(
    start(
      'kube-controller-manager',
      bin('kube-controller-manager'),
      [
        `--kubeconfig=${kubeconfig}`,
        '--bind-address=127.0.0.1',
        '--secure-port=0',
        '--leader-elect=false',
        `--service-account-private-key-file=${o.pki.saKey}`,
        `--root-ca-file=${o.pki.caCert}`,
        '--use-service-account-credentials=false',
        // kwok renews node leases every 10 s; these are kwokctl's settings.
        '--node-monitor-period=5s',
        '--node-monitor-grace-period=40s',
        // The HPA reads metrics.k8s.io; with nothing serving it the HPA reports that, as on EKS
        // without metrics-server. A short sync period makes the condition show up quickly.
        '--horizontal-pod-autoscaler-sync-period=5s',
        '--profiling=false',
      ],
      { logDir: logs, env },
    ),
    start(
      'kube-scheduler',
      bin('kube-scheduler'),
      [`--kubeconfig=${kubeconfig}`, '--bind-address=127.0.0.1', '--secure-port=0', '--leader-elect=false'],
      { logDir: logs, env },
    ),
  );

  // Three nodes as an EKS managed node group would register them, marked for kwok.
  const nodes = o.zones.map((zone, i) => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: `node-${i}`,
      annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/hostname': `node-${i}`,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'topology.kubernetes.io/zone': zone,
        'node.kubernetes.io/instance-type': 'm6i.large',
        type: 'kwok',
      },
    },
    spec: { podCIDR: `10.244.${i}.0/24`, podCIDRs: [`10.244.${i}.0/24`] },
    status: {
      allocatable: { cpu: '4', memory: '16Gi', pods: '110' },
      capacity: { cpu: '4', memory: '16Gi', pods: '110' },
    },
  }));
  apply(nodes);

  procs.push(
    start(
      'kwok',
      bin('kwok'),
      [
        `--kubeconfig=${kubeconfig}`,
        '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
        // kwok's default stages, copied from its module by scripts/testbed/build.sh.
        `--config=${join(o.bin, '..', 'kwok', 'stage', 'fast')}`,
        '--node-lease-duration-seconds=40',
        '--cidr=10.244.0.0/16',
        '--node-ip=127.0.0.1',
      ],
      { logDir: logs, env: { ...env, KWOK_WORKDIR: join(dir, 'kwok') } },
    ),
  );
  await waitFor(
    `the ${o.name} nodes to be Ready`,
    () => {
      const list = getJson(['nodes']);
      const ready = list.items.filter((n: KubeObject) =>
        n.status.conditions?.some((c: KubeObject) => c.type === 'Ready' && c.status === 'True'),
      );
      const untainted = list.items.every((n: KubeObject) => !(n.spec.taints ?? []).length);
      return ready.length === o.zones.length && untainted ? true : undefined;
    },
    90_000,
    500,
  );
  return { name: o.name, dir, kubeconfig, server, procs, kubectl, getJson, apply, secretsManager: o.secrets ?? {} };
}
