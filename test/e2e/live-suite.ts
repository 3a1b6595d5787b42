// The live test of a generated platform: a freshly generated workspace on the live test bed (a real
// kube-apiserver per environment, a real Argo CD in each, the GitOps repo on a local git server).
// One suite per answer set; each *.e2e.ts file runs one (mocha runs the files in parallel).
//
// What Argo CD learns of a push: the generated platform offers no GitHub webhook that can reach
// Argo CD (argocd-server is not exposed), so each step is sent a GitHub push event by the bed, as
// GitHub would send it once a webhook exists, signed with a secret the bed sets (stand-in), and the
// last step measures what the platform does as generated: polling, with the generated settings.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cannotRun } from '../support/skips.ts';
import { applications, describe as describeApps, warningEvents } from '../support/testbed/apps.ts';
import {
  addonApplications,
  type Bed,
  type Environment,
  everyAddonApplication,
  missingComponents,
  startBed,
  testbedDir,
} from '../support/testbed/bed.ts';
import { readBootstrap } from '../support/testbed/infra-bootstrap.ts';
import {
  PlatformOnBed,
  randomDigest,
  readWorkspace,
  rolledOutImage,
  type Workspace,
} from '../support/testbed/platform.ts';
import { type KubeObject, problems, waitFor } from '../support/testbed/processes.ts';
import { repoRoot } from '../support/workspace.ts';

export interface LiveSet {
  name: string;
  /** Arguments of `new` besides --output. */
  newArgs: string[];
  /** The service `service` adds. */
  addedService: { name: string; port: string };
  /** An answer changed by `upgrade`, as flags. */
  upgradeArgs: string[];
  zones: string[];
}

const bin = join(repoRoot, 'bin', 'gitops-platform.js');

function cli(cwd: string, args: string[]): string {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', input: '', timeout: 120_000 });
  if (result.status !== 0) {
    throw new Error(`gitops-platform ${args.join(' ')} exited ${result.status}:\n${result.stdout}${result.stderr}`);
  }
  return result.stdout;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const firstSyncTimeout = 8 * 60_000;

/** The lines the suite prints at the end: figures and stand-ins. */
function report(set: string, lines: string[]): void {
  console.log(`\n  [live ${set}]\n${lines.map((l) => `    ${l}`).join('\n')}\n`);
}

export function liveSuite(set: LiveSet): void {
  describe(`live test bed: ${set.name}`, function () {
    this.timeout(30 * 60_000);
    let ws: Workspace;
    let bed: Bed;
    let p: PlatformOnBed;
    let tmp: string;
    const figures: string[] = [];
    const t0 = Date.now();
    const service = () => ws.services[0];
    const first = () => bed.environments[0];

    /** Waits for an environment after a push; returns the seconds from the push. */
    const timed = async (what: string, env: Environment, revision: string, pushedAt: number, check?: () => boolean) => {
      await p.converged(env, revision, 5 * 60_000, check);
      const ms = Date.now() - pushedAt;
      figures.push(`${what}: ${seconds(ms)} from push to Synced+Healthy`);
      return ms;
    };
    /** Commits what a clone changed, pushes it to main and sends GitHub's push event; returns the new main. */
    const pushChange = async (dir: string, message: string) => {
      p.git(dir, ['commit', '--quiet', '-am', message]);
      const before = p.head();
      p.git(dir, ['push', '--quiet', 'origin', 'main']);
      const main = p.head();
      await p.pushEvent(before, main, p.webhookSecret);
      return main;
    };
    const onDigest = (env: Environment, svc: string, digest: string) => () =>
      rolledOutImage(env, svc)?.endsWith(`@${digest}`) ?? false;

    before(async function () {
      const missing = missingComponents();
      if (missing.length) cannotRun(this, 'live-bed', `the live test bed needs: ${missing.join(', ')}`);
      tmp = mkdtempSync(join(tmpdir(), `gitops-platform-live-${set.name}-`));
      // --skip-install: the bed runs no npm; the app repo is not part of what it deploys.
      cli(tmp, ['new', ...set.newArgs, '--skip-install', '--output', 'ws']);
      ws = readWorkspace(join(tmp, 'ws'));
      const started = Date.now();
      const webhookSecret = randomBytes(20).toString('hex');
      bed = await startBed({
        environments: ws.environments,
        zones: set.zones,
        // Those of this workspace, and those an upgrade can bring in.
        addonApplications: [...addonApplications(ws.gitops, ws.environments[0]), ...everyAddonApplication()],
        argocdCm: (env) => readBootstrap(ws.infra, env).cm,
        argocdSecret: () => ({ 'webhook.github.secret': webhookSecret }),
        // What the team stores once per environment, as the infra README says (with a domain,
        // External Secrets brings it into argocd-secret).
        secretsManager: (env) => ({ [`${ws.org}/${env}/argocd/github-webhook`]: webhookSecret }),
      });
      figures.push(`bed start (${ws.environments.length} clusters with Argo CD): ${seconds(Date.now() - started)}`);
      p = new PlatformOnBed(ws, bed, webhookSecret);
    });

    after(async function () {
      if (bed) {
        const failed = this.test?.parent?.tests.some((t) => t.state === 'failed');
        if (failed) {
          for (const env of bed.environments) {
            try {
              console.log(`Applications in ${env.name}:\n${describeApps(applications(env.cluster))}`);
            } catch {}
            for (const proc of env.argocd.procs) {
              if (/argocd-(application-controller|repo-server)/.test(proc.name)) {
                console.log(
                  `--- ${env.name} ${proc.name}: last errors and warnings (log: ${proc.log})\n${problems(proc.log)}`,
                );
              }
            }
          }
        }
        await bed.stop();
      }
      figures.push(`whole suite: ${seconds(Date.now() - t0)}`);
      if (bed) report(set.name, [...figures, ...bed.standIns.map((s) => `stand-in: ${s}`)]);
      if (tmp && existsSync(tmp)) rmSync(tmp, { recursive: true, force: true });
    });

    it('1. each root Application, as Terraform creates it, syncs every Application Synced and Healthy', async () => {
      p.publish();
      const main = p.head();
      for (const env of bed.environments) p.bootstrap(env);
      for (const env of bed.environments) {
        // Up to a resync period (120 s + 60 s jitter) more than the syncs themselves: a CRD that
        // becomes Established between two refreshes of its add-on (status updates do not trigger
        // one) leaves the add-on, and so the root's wave, Progressing until the next.
        const apps = await p.converged(env, main, firstSyncTimeout);
        const names = apps.map((a) => a.name).sort();
        const addons = addonApplications(ws.gitops, env.name).map((a) => a.metadata.name);
        const expected = [...addons, 'root', ...ws.services.map((s) => `${s}-${env.name}`)].sort();
        assert.deepEqual(names, expected, `Applications in ${env.name}`);
        assert.deepEqual(warningEvents(env.cluster), [], `Warning events in ${env.name}`);
      }
      figures.push(`first sync of every environment: ${seconds(Date.now() - t0)} after the suite started`);
    });

    it('runs the service namespaces under the restricted Pod Security level, for real', () => {
      const pod = (namespace: string) =>
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'privileged', namespace },
          spec: { containers: [{ name: 'c', image: 'busybox', securityContext: { privileged: true } }] },
        });
      for (const env of bed.environments) {
        const ns = env.cluster.getJson(['namespace', service()]);
        assert.equal(ns.metadata.labels['pod-security.kubernetes.io/enforce'], 'restricted');
        assert.throws(
          () => env.cluster.kubectl(['apply', '--dry-run=server', '-f', '-'], pod(service())),
          /violates PodSecurity "restricted:latest": .*privileged \(container "c" must not set securityContext\.privileged=true\)/,
        );
        // The same pod is admitted where no Pod Security level applies: the label is what refuses it.
        env.cluster.kubectl(['create', 'namespace', 'pod-security-control']);
        env.cluster.kubectl(['apply', '--dry-run=server', '-f', '-'], pod('pod-security-control'));
        env.cluster.kubectl(['delete', 'namespace', 'pod-security-control', '--wait=false']);
      }
    });

    const digests: string[] = [];
    const deployCommits: string[] = [];

    it('2. deploys as the app CI does, bumps, and rolls back with git revert', async () => {
      const env = first();
      for (const [i, what] of ['deploy', 'bump'].entries()) {
        const before = p.head();
        const digest = randomDigest();
        digests.push(digest);
        const pushedAt = Date.now();
        const main = p.deploy(env.name, service(), digest);
        deployCommits.push(main);
        await p.pushEvent(before, main, p.webhookSecret);
        await timed(
          `${what} ${service()} in ${env.name} (webhook)`,
          env,
          main,
          pushedAt,
          onDigest(env, service(), digest),
        );
        assert.equal(deployCommits.length, i + 1);
      }
      const before = p.head();
      const pushedAt = Date.now();
      const main = p.revert(deployCommits[1]);
      await p.pushEvent(before, main, p.webhookSecret);
      await timed(`revert in ${env.name} (webhook)`, env, main, pushedAt, onDigest(env, service(), digests[0]));
      assert.match(rolledOutImage(env, service()) ?? '', new RegExp(`@${digests[0]}$`));
      assert.deepEqual(warningEvents(env.cluster), [], `Warning events in ${env.name}`);
    });

    it('3. promotes through every environment to production, each Healthy after it', async () => {
      for (let i = 1; i < bed.environments.length; i++) {
        const from = bed.environments[i - 1];
        const to = bed.environments[i];
        const before = p.head();
        const pushedAt = Date.now();
        const main = p.promote(service(), from.name, to.name);
        await p.pushEvent(before, main, p.webhookSecret);
        await timed(
          `promote ${from.name} -> ${to.name} (webhook)`,
          to,
          main,
          pushedAt,
          onDigest(to, service(), digests[0]),
        );
        assert.deepEqual(warningEvents(to.cluster), [], `Warning events in ${to.name}`);
      }
    });

    it('4. a service added by `gitops-platform service` syncs, and deploys at the same moment as another', async () => {
      const { name, port } = set.addedService;
      p.git(ws.gitops, ['pull', '--quiet', '--ff-only', 'origin', 'main']);
      cli(ws.dir, ['service', name, '--port', port, '--skip-install']);
      // The pull requests merged: the branch of each repo into its main.
      for (const repo of [ws.gitops, ws.infra]) {
        p.git(repo, ['checkout', '--quiet', 'main']);
        p.git(repo, ['merge', '--quiet', '--no-ff', '-m', `Merge add-service-${name}`, `add-service-${name}`]);
      }
      p.rewriteUrl(ws.gitops);
      const before = p.head();
      p.git(ws.gitops, ['push', '--quiet', 'origin', 'main']);
      const main = p.head();
      await p.pushEvent(before, main, p.webhookSecret);
      for (const env of bed.environments) {
        const apps = await p.converged(env, main, 5 * 60_000);
        assert.ok(
          apps.some((a) => a.name === `${name}-${env.name}`),
          `${name}-${env.name} in ${env.name}`,
        );
      }
      // Both services deploy at the same moment: two deploy pull requests open side by side, then
      // merge one after the other (no conflict, no rebase: each touches its own values file).
      const env = first();
      const digest = randomDigest();
      const other = randomDigest();
      const pushedAt = Date.now();
      const branches = [p.deployBranch(env.name, name, digest), p.deployBranch(env.name, service(), other)];
      let deployed = main;
      for (const branch of branches) deployed = p.mergePullRequest(branch);
      await p.pushEvent(main, deployed, p.webhookSecret);
      await timed(
        `deploy ${name} and ${service()} at once in ${env.name} (webhook)`,
        env,
        deployed,
        pushedAt,
        () => onDigest(env, name, digest)() && onDigest(env, service(), other)(),
      );
    });

    it('5. after `gitops-platform upgrade` with a changed answer, every cluster converges with no drift', async () => {
      p.git(ws.gitops, ['pull', '--quiet', '--ff-only', 'origin', 'main']);
      cli(ws.dir, ['upgrade', ...set.upgradeArgs, '--commit']);
      const before = p.head();
      p.rewriteUrl(ws.gitops);
      p.git(ws.gitops, ['push', '--quiet', 'origin', 'main']);
      const main = p.head();
      assert.notEqual(main, before, 'the upgrade changed the GitOps repo');
      // terraform apply of each root after the upgrade: the root Application as the infra repo has it now.
      for (const env of bed.environments) p.bootstrap(env);
      await p.pushEvent(before, main, p.webhookSecret);
      for (const env of bed.environments) {
        // An answer that brings in an add-on (a domain: the load balancer controller) syncs like a
        // first sync.
        await p.converged(env, main, firstSyncTimeout);
        assert.deepEqual(warningEvents(env.cluster), [], `Warning events in ${env.name}`);
        if (set.upgradeArgs.includes('--domain')) {
          // The webhook's secret reached argocd-secret from Secrets Manager through the generated
          // ExternalSecret (the root Application is Healthy only once it is Ready).
          const secret = env.cluster.getJson(['-n', 'argocd', 'secret', 'argocd-secret']);
          assert.equal(Buffer.from(secret.data['webhook.github.secret'], 'base64').toString(), p.webhookSecret);
          const es = env.cluster.getJson([
            '-n',
            'argocd',
            'externalsecret.external-secrets.io',
            'argocd-github-webhook',
          ]);
          assert.equal(es.status.conditions[0].status, 'True', `${env.name}: the webhook secret synced`);
        }
      }
    });

    it('6. an add-on whose chart cannot be fetched holds the later waves back; its revert converges', async () => {
      const env = first();
      const dir = p.clone();
      const addon = join(dir, 'argocd', env.name, 'platform', 'external-secrets.yaml');
      const appFile = join(dir, 'argocd', env.name, 'apps', `${service()}.yaml`);
      const appName = `${service()}-${env.name}`;
      // One commit: the add-on (wave -2) asks for a chart version its repository does not have, and
      // the service's Application (wave 0) gets an annotation.
      const addonText = readFileSync(addon, 'utf8');
      const missing = addonText.replace(/^(\s+targetRevision: ).*$/m, '$1"0.0.0-does-not-exist"');
      assert.notEqual(missing, addonText);
      writeFileSync(addon, missing);
      const appText = readFileSync(appFile, 'utf8');
      const marked = appText.replace(
        /^(\s+)argocd\.argoproj\.io\/sync-wave: "0"$/m,
        '$1argocd.argoproj.io/sync-wave: "0"\n$1test-bed/wave-check: held',
      );
      assert.notEqual(marked, appText);
      writeFileSync(appFile, marked);
      await pushChange(dir, 'external-secrets: a chart version that does not exist');
      const annotation = () =>
        env.cluster.getJson(['-n', 'argocd', 'applications.argoproj.io', appName]).metadata.annotations?.[
          'test-bed/wave-check'
        ];
      // The add-on cannot render: Degraded, and the root with it.
      const apps = await waitFor(
        'external-secrets Degraded by a ComparisonError, and the root Degraded',
        () => {
          const all = applications(env.cluster);
          const addonApp = all.find((a) => a.name === 'external-secrets');
          const root = all.find((a) => a.name === 'root');
          const failed = addonApp?.conditions.some((c) => c.startsWith('ComparisonError'));
          return failed && root?.health === 'Degraded' ? all : undefined;
        },
        3 * 60_000,
        500,
      );
      // For as long as it stays so, the later wave is not applied (the root retries, and waits).
      for (let i = 0; i < 20; i++) {
        assert.equal(annotation(), undefined, `wave 0 applied while wave -2 is Degraded:\n${describeApps(apps)}`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      figures.push(`a chart that cannot be fetched: the later wave held back for 20 s, as it must`);
      // The fix (the add-on's version back) lets every wave through, the held change included.
      writeFileSync(addon, addonText);
      const fixed = await pushChange(dir, 'external-secrets: back to the pinned chart');
      await p.converged(env, fixed, 5 * 60_000, () => annotation() === 'held');
    });

    it('7. turning the HPA on and off hands the replica count over without dropping a pod', async () => {
      const env = first();
      const ns = service();
      const valuesPath = join('environments', env.name, `${service()}.yaml`);
      const replicas = (): number => env.cluster.getJson(['-n', ns, 'deployment', service()]).spec.replicas;
      /** Commits a change of the service's values in this environment and sends the push event. */
      const change = async (edit: (text: string) => string, message: string) => {
        const dir = p.clone();
        const file = join(dir, valuesPath);
        const text = readFileSync(file, 'utf8');
        const edited = edit(text);
        assert.notEqual(edited, text, message);
        writeFileSync(file, edited);
        return pushChange(dir, message);
      };
      /** Samples spec.replicas until `done`; returns the fewest seen. */
      const fewestUntil = async (what: string, done: (n: number) => boolean, timeoutMs = 3 * 60_000) => {
        let fewest = Number.POSITIVE_INFINITY;
        await waitFor(
          what,
          () => {
            const n = replicas();
            fewest = Math.min(fewest, n);
            return done(n) ? n : undefined;
          },
          timeoutMs,
          100,
        );
        return fewest;
      };
      const setCount = (n: number) => (text: string) => text.replace(/^replicaCount: \d+$/m, `replicaCount: ${n}`);
      const fixed = await change(setCount(2), `${service()}: two pods in ${env.name}`);
      await p.converged(env, fixed, 5 * 60_000, () => replicas() === 2);

      // On: the HPA's minimum (3) is above today's count. The sync that turns it on must keep 2
      // (server-side apply resets a dropped spec.replicas to 1) until the HPA raises it; then Argo CD
      // must leave the HPA's count alone (no diff, no self-heal back to 2).
      const on = await change(
        (t) => `${t}autoscaling:\n  enabled: true\n  minReplicas: 3\n  maxReplicas: 4\n`,
        `${service()}: autoscaling in ${env.name}`,
      );
      const fewestOn = await fewestUntil('the HPA to raise the count to 3', (n) => n === 3);
      assert.equal(fewestOn, 2, 'the replica count while the HPA was turned on');
      const deployment = env.cluster.getJson(['-n', ns, 'deployment', service(), '--show-managed-fields']);
      const owners = deployment.metadata.managedFields
        .filter((f: { fieldsV1?: { 'f:spec'?: Record<string, unknown> } }) => f.fieldsV1?.['f:spec']?.['f:replicas'])
        .map(
          (f: { manager: string; subresource?: string }) => `${f.manager}${f.subresource ? `/${f.subresource}` : ''}`,
        );
      assert.ok(owners.includes('kube-controller-manager/scale'), `spec.replicas owned by the HPA: ${owners}`);
      // The bed has no metrics API: once the count is in range the HPA cannot read CPU and Argo CD
      // reports it Degraded. What is checked here is the hand-over: Synced at this commit, and the
      // HPA's count kept through Argo CD's refreshes.
      await waitFor(
        `${service()}-${env.name} Synced at the autoscaling commit`,
        () => {
          const app = applications(env.cluster).find((a) => a.name === `${service()}-${env.name}`);
          return app?.sync === 'Synced' && app.revision === on && !app.operation.startsWith('Running')
            ? app
            : undefined;
        },
        2 * 60_000,
        500,
      );
      for (let i = 0; i < 15; i++) {
        assert.equal(replicas(), 3, 'Argo CD took the replica count back from the HPA');
        const app = applications(env.cluster).find((a) => a.name === `${service()}-${env.name}`);
        assert.equal(
          app?.sync,
          'Synced',
          `${service()}-${env.name} after the HPA scaled:\n${describeApps(app ? [app] : [])}`,
        );
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      const hpaEvents = warningEvents(env.cluster).filter((e) => e.startsWith(`${ns}/HorizontalPodAutoscaler/`));
      const otherEvents = warningEvents(env.cluster).filter((e) => !hpaEvents.includes(e));
      assert.deepEqual(otherEvents, [], `Warning events in ${env.name} besides the HPA's missing metrics`);

      // Off again (git revert): the HPA goes, the count stays where it left it (the field is still
      // the HPA's, so Argo CD applies the live count), never fewer pods on the way.
      const off = p.revert(on);
      await p.pushEvent(on, off, p.webhookSecret);
      const hpaGone = () => {
        try {
          env.cluster.getJson(['-n', ns, 'horizontalpodautoscaler', service()]);
          return false;
        } catch (error) {
          if (/NotFound/.test((error as Error).message)) return true;
          throw error;
        }
      };
      const fewestOff = await fewestUntil('the HPA removed', (n) => n === 3 && hpaGone());
      assert.equal(fewestOff, 3, 'the replica count while the HPA was turned off');
      await p.converged(env, off, 5 * 60_000, () => replicas() === 3);
      // Handed back as the GitOps README says (kubectl scale, once): Argo CD applies replicaCount again.
      env.cluster.kubectl(['-n', ns, 'scale', `deployment/${service()}`, '--replicas=2']);
      const one = await change(setCount(1), `${service()}: one pod in ${env.name}`);
      await p.converged(env, one, 5 * 60_000, () => replicas() === 1);
      figures.push(
        `HPA on and off in ${env.name}: the count went 2 -> 3 (HPA), stayed 3 when it was removed, then replicaCount applied again after the README's kubectl scale (the bed has no metrics API: ${hpaEvents.length} HPA warning(s) about missing metrics, expected)`,
      );
    });

    it('8. polling, as generated (no webhook reaches Argo CD): push to Healthy with the generated settings', async () => {
      const env = first();
      const cm = readBootstrap(ws.infra, env.name).cm;
      const digest = randomDigest();
      const pushedAt = Date.now();
      const main = p.deploy(env.name, service(), digest);
      // No push event: Argo CD finds the commit by itself.
      await p.converged(env, main, 8 * 60_000, onDigest(env, service(), digest));
      figures.push(
        `deploy by polling in ${env.name}: ${seconds(Date.now() - pushedAt)} from push to Synced+Healthy (timeout.reconciliation ${cm['timeout.reconciliation'] ?? '120s (chart default)'}, jitter 60s, the repo-server caches what main resolves to for as long)`,
      );
    });

    it('9. `gitops-platform service remove` as printed: Argo CD deletes what the service deployed everywhere, then its namespace leaves the projects; nothing else changes', async () => {
      const { name } = set.addedService;
      const state = (e: Environment) =>
        JSON.stringify(
          applications(e.cluster)
            .filter((a) => a.name !== `${name}-${e.name}`)
            .map((a) => [a.name, a.sync, a.health]),
        );
      const images = (e: Environment) => ws.services.map((svc) => rolledOutImage(e, svc));
      const before = bed.environments.map((e) => [state(e), images(e)]);
      /** Runs one step, merges its branch in both repos as the pull requests would, pushes the GitOps repo. */
      const removalStep = async (branch: string, args: string[]) => {
        p.git(ws.gitops, ['pull', '--quiet', '--ff-only', 'origin', 'main']);
        cli(ws.dir, ['service', 'remove', name, ...args]);
        for (const repo of [ws.gitops, ws.infra]) {
          p.git(repo, ['checkout', '--quiet', 'main']);
          p.git(repo, ['merge', '--quiet', '--no-ff', '-m', `Merge ${branch}`, branch]);
        }
        const from = p.head();
        p.git(ws.gitops, ['push', '--quiet', 'origin', 'main']);
        const main = p.head();
        await p.pushEvent(from, main, p.webhookSecret);
        return main;
      };
      const deployedKinds = 'deployments,services,serviceaccounts.v1.,poddisruptionbudgets,networkpolicies';
      const left = (e: Environment) =>
        e.cluster
          .getJson(['-n', name, deployedKinds])
          .items.filter((o: KubeObject) => o.metadata.name !== 'default')
          .map((o: KubeObject) => `${o.kind}/${o.metadata.name}`);
      for (const e of bed.environments) assert.ok(left(e).length > 0, `${name} runs in ${e.name} before`);
      const started = Date.now();
      // Step 1: the GitOps change (the infra change merges after it; the bed has no AWS to apply it to).
      const main = await removalStep(`remove-service-${name}`, ['--allow-destroy']);
      for (const e of bed.environments) {
        await p.converged(
          e,
          main,
          5 * 60_000,
          () => !applications(e.cluster).some((a) => a.name === `${name}-${e.name}`),
        );
        // Everything the Applications deployed is gone; the namespace Argo CD created stays, empty.
        await waitFor(`${name}'s resources deleted in ${e.name}`, () => left(e).length === 0 || undefined, 60_000, 500);
        e.cluster.kubectl(['delete', 'namespace', name, '--wait=true', '--timeout=50s']);
      }
      const removed = Date.now() - started;
      // Step 2: the namespace leaves the AppProjects.
      const finished = await removalStep(`finish-remove-service-${name}`, []);
      for (const e of bed.environments) {
        await p.converged(e, finished, 5 * 60_000, () => {
          const project = e.cluster.getJson(['-n', 'argocd', 'appprojects.argoproj.io', e.name]);
          return !project.spec.destinations.some((d: { namespace: string }) => d.namespace === name);
        });
      }
      // The other services and add-ons: the same Applications, Synced and Healthy, the same images.
      assert.deepEqual(
        bed.environments.map((e) => [state(e), images(e)]),
        before,
      );
      figures.push(
        `service remove ${name}: its Applications and everything they deployed gone from ${bed.environments.length} clusters ${seconds(removed)} after the push; the finishing step Synced everywhere`,
      );
    });

    it('10. an environment added by `gitops-platform env add` syncs every service Healthy, and promotion reaches it; nothing else changes', async () => {
      const name = 'uat';
      const state = (e: Environment) => JSON.stringify(applications(e.cluster).map((a) => [a.name, a.sync, a.health]));
      const others = [...bed.environments];
      const before = others.map((e) => [state(e), ws.services.map((svc) => rolledOutImage(e, svc))]);
      p.git(ws.gitops, ['pull', '--quiet', '--ff-only', 'origin', 'main']);
      // Default place: right before production.
      cli(ws.dir, ['env', 'add', name]);
      for (const repo of [ws.gitops, ws.infra]) {
        p.git(repo, ['checkout', '--quiet', 'main']);
        p.git(repo, ['merge', '--quiet', '--no-ff', '-m', `Merge add-env-${name}`, `add-env-${name}`]);
      }
      // The new environment's Applications name the repository's GitHub URL: served from the bed's.
      p.rewriteUrl(ws.gitops);
      const order: string[] = JSON.parse(readFileSync(join(ws.infra, '.yo-rc.json'), 'utf8'))[
        'generator-gitops-platform'
      ].answers.environments;
      const position = order.indexOf(name);
      assert.equal(position, order.length - 2, `${name} goes right before production: ${order.join(', ')}`);
      const from = p.head();
      p.git(ws.gitops, ['push', '--quiet', 'origin', 'main']);
      const main = p.head();
      await p.pushEvent(from, main, p.webhookSecret);
      // The pipeline applies the new root: its cluster, Argo CD, and the root Application.
      const started = Date.now();
      const env = await bed.addEnvironment(name, position);
      p.bootstrap(env);
      const apps = await p.converged(env, main, firstSyncTimeout);
      for (const svc of ws.services) {
        assert.ok(
          apps.some((a) => a.name === `${svc}-${name}`),
          `${svc}-${name} in ${name}: ${apps.map((a) => a.name)}`,
        );
      }
      figures.push(
        `env add ${name}: first sync of its cluster, every Application Synced and Healthy, ${seconds(Date.now() - started)} after its Argo CD started`,
      );
      // Promotion reaches it: the image of the environment before it, with the promote workflow's steps.
      const previous = bed.environments[position - 1];
      const image = rolledOutImage(previous, service());
      assert.ok(image, `${service()} runs in ${previous.name}`);
      const digest = (image as string).split('@')[1];
      const promotedFrom = p.head();
      const pushedAt = Date.now();
      const promoted = p.promote(service(), previous.name, name);
      await p.pushEvent(promotedFrom, promoted, p.webhookSecret);
      await timed(
        `promote ${previous.name} -> ${name} (webhook)`,
        env,
        promoted,
        pushedAt,
        onDigest(env, service(), digest),
      );
      assert.deepEqual(warningEvents(env.cluster), [], `Warning events in ${name}`);
      // The environments that were there: the same Applications, Synced and Healthy, the same images.
      assert.deepEqual(
        others.map((e) => [state(e), ws.services.map((svc) => rolledOutImage(e, svc))]),
        before,
      );
    });

    it('11. tearing production down as `env remove` says (scripts/teardown.sh) deletes what Argo CD deployed there before its root, and nothing elsewhere', async () => {
      const env = bed.environments[bed.environments.length - 1];
      const others = bed.environments.filter((e) => e !== env);
      const state = (e: Environment) => JSON.stringify(applications(e.cluster).map((a) => [a.name, a.sync, a.health]));
      const othersBefore = others.map(state);
      const deployed = applications(env.cluster).length;
      assert.ok(deployed > 1, 'production runs Applications to tear down');
      // Stand-ins for what the bed has no AWS for: `aws eks update-kubeconfig` gives the bed cluster's
      // kubeconfig; `terraform` records its calls and, at destroy, what Argo CD still has there.
      const standIns = mkdtempSync(join(tmp, 'teardown-'));
      const log = join(standIns, 'terraform.log');
      writeFileSync(
        join(standIns, 'aws'),
        `#!/usr/bin/env bash\n[[ "$1 $2" == "eks update-kubeconfig" ]] || exit 1\ncp "$BED_KUBECONFIG" "$KUBECONFIG"\n`,
        { mode: 0o755 },
      );
      writeFileSync(
        join(standIns, 'terraform'),
        `#!/usr/bin/env bash\necho "$*" >> "$TF_LOG"\nif [[ " $* " == *" destroy "* ]]; then\n  echo "applications left: $(kubectl get applications.argoproj.io -n argocd -o name | wc -l)" >> "$TF_LOG"\nfi\n`,
        { mode: 0o755 },
      );
      const started = Date.now();
      const result = spawnSync('bash', [join(ws.infra, 'scripts', 'teardown.sh'), env.name, '--yes'], {
        cwd: ws.infra,
        encoding: 'utf8',
        input: '',
        timeout: 10 * 60_000,
        env: {
          ...process.env,
          PATH: `${standIns}:${join(testbedDir(), 'bin')}:${process.env.PATH}`,
          BED_KUBECONFIG: env.cluster.kubeconfig,
          TF_LOG: log,
          TEARDOWN_INTERVAL: '2',
          TEARDOWN_TIMEOUT: '480',
        },
      });
      assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
      assert.match(result.stdout, new RegExp(`nothing Argo CD deployed is left in ${env.name}`));
      // The root only after everything Argo CD deployed was gone.
      const calls = readFileSync(log, 'utf8').trim().split('\n');
      assert.match(calls[0], new RegExp(`^-chdir=environments/${env.name} init `));
      assert.match(calls[1], new RegExp(`^-chdir=environments/${env.name} destroy `));
      assert.equal(calls[2], 'applications left: 0');
      assert.deepEqual(applications(env.cluster), []);
      for (const svc of ws.services) {
        const left = env.cluster
          .getJson(['-n', svc, 'deployments,services,serviceaccounts.v1.'])
          .items.filter((o: KubeObject) => o.metadata.name !== 'default' && o.metadata.name !== 'kube-root-ca.crt');
        assert.deepEqual(
          left.map((o: KubeObject) => `${o.kind}/${o.metadata.name}`),
          [],
          `${svc} in ${env.name}`,
        );
      }
      // The other environments: untouched, still Synced and Healthy.
      assert.deepEqual(others.map(state), othersBefore);
      for (const o of others) {
        for (const app of applications(o.cluster))
          assert.deepEqual([app.sync, app.health], ['Synced', 'Healthy'], `${o.name} ${app.name}`);
      }
      figures.push(
        `teardown of ${env.name} (scripts/teardown.sh): ${deployed} Applications and what they deployed gone in ${seconds(Date.now() - started)}, then its root (stand-in terraform)`,
      );
    });
  });
}
