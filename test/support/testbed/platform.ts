// A generated platform on the live test bed, driven the way its own pieces drive it: the platform
// team's clone of the GitOps repo, Terraform's Argo CD bootstrap (read from the infra repo), the app
// CI's deploy job (scripts/set-image.sh --pull-request in a fresh clone, its pull request merged as
// GitHub's auto-merge would) and the promote workflow's steps (scripts/promote.sh on a branch,
// merged as a pull request).
//
// The one change the bed makes to the generated GitOps repo is its own URL (GitHub -> the bed's git
// server), as a commit of its own after each generator run that writes it.
import { spawnSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findTool } from '../tools.ts';
import { type AppState, waitConverged } from './apps.ts';
import type { Bed, Environment } from './bed.ts';
import { readBootstrap } from './infra-bootstrap.ts';
import { type KubeObject, run } from './processes.ts';

export interface Workspace {
  dir: string;
  org: string;
  infra: string;
  gitops: string;
  environments: string[];
  services: string[];
  /** The GitOps repo's URL as generated. */
  gitopsUrl: string;
}

export function readWorkspace(dir: string): Workspace {
  const infraName = readdirSync(dir).find((e) => e.endsWith('-infra'));
  if (!infraName) throw new Error(`no infra repo in ${dir}`);
  const state = JSON.parse(readFileSync(join(dir, infraName, '.yo-rc.json'), 'utf8'))['generator-gitops-platform'];
  const org: string = state.answers.org;
  const environments: string[] = state.answers.environments;
  return {
    dir,
    org,
    infra: join(dir, infraName),
    gitops: join(dir, `${org}-gitops`),
    environments,
    services: state.services.map((s: { name: string }) => s.name),
    gitopsUrl: String(readBootstrap(join(dir, infraName), environments[0]).args.repo_url),
  };
}

const identity = ['-c', 'user.name=testbed', '-c', 'user.email=testbed@example.invalid'];

export class PlatformOnBed {
  readonly url: string;
  private readonly yqPath: string;

  constructor(
    readonly ws: Workspace,
    readonly bed: Bed,
    /** The secret argocd-server verifies GitHub push events with (webhook.github.secret). */
    readonly webhookSecret: string,
  ) {
    this.url = bed.createRepo(`${ws.org}/${ws.org}-gitops.git`);
    const yq = findTool('yq');
    if (!yq) throw new Error('yq is missing (scripts/install-tools.sh)');
    this.yqPath = yq;
  }

  /** git in a directory, with the bed's identity. */
  git(dir: string, args: string[]): string {
    return run('git', ['-C', dir, ...identity, ...args], { timeoutMs: 60_000 }).trim();
  }

  /** The bed's one change to the GitOps repo: its URL. Returns whether a commit was made. */
  rewriteUrl(dir: string): boolean {
    // git grep exits 1 when nothing matches.
    const grep = spawnSync('git', ['-C', dir, 'grep', '-l', '-F', this.ws.gitopsUrl], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (grep.status !== 0 && grep.status !== 1) throw new Error(`git grep in ${dir}: ${grep.stderr}`);
    const files = grep.stdout.split('\n').filter(Boolean);
    for (const f of files) {
      const path = join(dir, f);
      writeFileSync(path, readFileSync(path, 'utf8').replaceAll(this.ws.gitopsUrl, this.url));
    }
    if (!files.length) return false;
    this.git(dir, ['commit', '--quiet', '-m', `test bed: serve this repository from ${this.url}`, '--', ...files]);
    return true;
  }

  /** Publishes the platform team's GitOps repo (main) to the bed's git server. */
  publish(): void {
    this.git(this.ws.gitops, ['remote', 'add', 'origin', this.url]);
    this.rewriteUrl(this.ws.gitops);
    this.git(this.ws.gitops, ['push', '--quiet', 'origin', 'main']);
  }

  head(): string {
    return run('git', ['ls-remote', this.url, 'refs/heads/main']).split('\t')[0];
  }

  /**
   * What `terraform apply` of an environment root does for Argo CD: the repository Secret, the
   * root Application and its project, from the infra repo. Stand-in: the GitHub App credential of the repository
   * Secret (the bed's git server needs none).
   */
  bootstrap(env: Environment): void {
    const b = readBootstrap(this.ws.infra, env.name);
    const [root, project] = [b.rootApplication, b.rootProject].map((o) =>
      JSON.parse(JSON.stringify(o).replaceAll(this.ws.gitopsUrl, this.url)),
    );
    env.cluster.apply([
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: {
          name: 'gitops-repo',
          namespace: String(b.args.namespace),
          labels: { 'argocd.argoproj.io/secret-type': 'repository' },
        },
        stringData: { type: 'git', url: this.url },
      },
      project,
      root,
    ]);
  }

  /** A fresh clone of main, as a CI job checks it out. */
  clone(): string {
    const dir = mkdtempSync(join(this.bed.dir, 'clone-'));
    run('git', ['clone', '--quiet', this.url, dir]);
    return dir;
  }

  private scriptEnv(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      PATH: `${join(this.yqPath, '..')}:${process.env.PATH}`,
      GIT_AUTHOR_NAME: 'testbed',
      GIT_AUTHOR_EMAIL: 'testbed@example.invalid',
      GIT_COMMITTER_NAME: 'testbed',
      GIT_COMMITTER_EMAIL: 'testbed@example.invalid',
    };
  }

  /**
   * The app CI's deploy job up to its pull request: scripts/set-image.sh --pull-request in a fresh
   * clone, which pushes the branch deploy/<env>/<service>. Returns the branch.
   */
  deployBranch(env: string, service: string, digest: string): string {
    const dir = this.clone();
    run('scripts/set-image.sh', ['--pull-request', env, service, digest], {
      cwd: dir,
      env: { ...this.scriptEnv(), SOURCE_REPOSITORY: `${this.ws.org}/${service}`, SOURCE_SHA: 'a'.repeat(40) },
      timeoutMs: 120_000,
    });
    return `deploy/${env}/${service}`;
  }

  /**
   * GitHub's auto-merge of a pull request once its checks pass: the branch squashed onto main as
   * one commit, the branch deleted. Stand-in: GitHub (its checks run in the generated workflows'
   * own tests, not here). Returns the new main.
   */
  mergePullRequest(branch: string): string {
    const dir = this.clone();
    this.git(dir, ['fetch', '--quiet', 'origin', branch]);
    const subject = this.git(dir, ['log', '-1', '--format=%s', 'FETCH_HEAD']);
    this.git(dir, ['merge', '--quiet', '--squash', 'FETCH_HEAD']);
    this.git(dir, ['commit', '--quiet', '-m', `${subject} (#${branch})`]);
    this.git(dir, ['push', '--quiet', 'origin', 'main', `:refs/heads/${branch}`]);
    return this.git(dir, ['rev-parse', 'HEAD']);
  }

  /** The app CI's deploy job: its pull request, merged. Returns the new main. */
  deploy(env: string, service: string, digest: string): string {
    return this.mergePullRequest(this.deployBranch(env, service, digest));
  }

  /** The promote workflow: promote.sh on a branch, then the pull request merged. Returns main. */
  promote(service: string, from: string, to: string): string {
    const dir = this.clone();
    run('scripts/promote.sh', [service, from, to], { cwd: dir, env: this.scriptEnv() });
    const branch = `promote/${service}-${to}`;
    this.git(dir, ['checkout', '--quiet', '-b', branch]);
    this.git(dir, [
      'commit',
      '--quiet',
      '-m',
      `promote(${service}): ${from} -> ${to}`,
      '--',
      `environments/${to}/${service}.yaml`,
    ]);
    this.git(dir, ['checkout', '--quiet', 'main']);
    this.git(dir, [
      'merge',
      '--quiet',
      '--no-ff',
      '-m',
      `Merge pull request: promote(${service}): ${from} -> ${to}`,
      branch,
    ]);
    this.git(dir, ['push', '--quiet', 'origin', 'main']);
    return this.git(dir, ['rev-parse', 'HEAD']);
  }

  /** `git revert` of a commit on main, pushed. Returns the new main. */
  revert(commit: string): string {
    const dir = this.clone();
    this.git(dir, ['revert', '--no-edit', commit]);
    this.git(dir, ['push', '--quiet', 'origin', 'main']);
    return this.git(dir, ['rev-parse', 'HEAD']);
  }

  /**
   * GitHub's push event for main, sent to every environment's argocd-server as GitHub would
   * (signed with X-Hub-Signature-256 when a secret is configured).
   */
  async pushEvent(before: string, after: string, secret?: string): Promise<void> {
    const body = JSON.stringify({
      ref: 'refs/heads/main',
      before,
      after,
      repository: {
        html_url: this.url.replace(/\.git$/, ''),
        default_branch: 'main',
        full_name: `${this.ws.org}/${this.ws.org}-gitops`,
      },
      commits: [],
    });
    for (const env of this.bed.environments) {
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': randomBytes(16).toString('hex'),
      };
      if (secret) headers['x-hub-signature-256'] = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
      const res = await fetch(`${env.argocd.serverUrl}/api/webhook`, { method: 'POST', headers, body });
      if (!res.ok) throw new Error(`webhook to ${env.name}: HTTP ${res.status} ${await res.text()}`);
    }
  }

  /** Waits for every Application of an environment to be Synced and Healthy at `revision`. */
  converged(
    env: Environment,
    revision: string | undefined,
    timeoutMs: number,
    extra?: () => boolean,
  ): Promise<AppState[]> {
    return waitConverged(
      env.cluster,
      `${env.name} Synced and Healthy${revision ? ` at ${revision.slice(0, 8)}` : ''}`,
      {
        revision,
        timeoutMs,
        extra,
      },
    );
  }
}

/** The image of a service's Deployment once its rollout is complete, or undefined before. */
export function rolledOutImage(env: Environment, service: string): string | undefined {
  let d: KubeObject;
  try {
    d = env.cluster.getJson(['-n', service, 'deployment', service]);
  } catch {
    return undefined;
  }
  const s = d.status ?? {};
  const want = d.spec.replicas ?? 1;
  const done =
    s.observedGeneration >= d.metadata.generation &&
    s.updatedReplicas === want &&
    s.readyReplicas === want &&
    s.replicas === want;
  return done ? d.spec.template.spec.containers[0].image : undefined;
}

export const randomDigest = () => `sha256:${randomBytes(32).toString('hex')}`;
