/**
 * Docker for the app image test, without pulling from any registry: a reachable daemon, and base
 * images made on this machine that stand in for the pinned ones.
 *
 *   gitops-platform-test/debian-minbase:bookworm   debootstrap --variant=minbase, `docker import`ed
 *   gitops-platform-test/node-build:<node>         + this machine's node and npm and CA bundle
 *                                                  (for the Dockerfile's build stages)
 *   gitops-platform-test/node-runtime:<node>       + node at /nodejs/bin/node as the entrypoint,
 *                                                  user 65532 (the shape of distroless nodejs)
 *
 * The CA bundle goes in because npm inside the build reaches the registry through this machine's
 * TLS setup (NODE_EXTRA_CA_CERTS). The root filesystem is cached as a tarball, so only the first
 * run pays for debootstrap. When something is missing the caller skips with the reason returned.
 */
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { tempDir } from './temp.ts';
import { findTool, run } from './tools.ts';

export type DockerSetup =
  | { ok: true; docker: string; buildImage: string; runtimeImage: string }
  | { ok: false; reason: string };

const BASE = 'gitops-platform-test/debian-minbase:bookworm';
/**
 * The Debian mirror debootstrap fetches from: DEBIAN_MIRROR, else the machine's own apt
 * configuration (deb822 .sources files, then sources.list), so no mirror is written here.
 */
export function debianMirror(): string | undefined {
  if (process.env.DEBIAN_MIRROR) return process.env.DEBIAN_MIRROR;
  const candidates: string[] = [];
  const dir = '/etc/apt/sources.list.d';
  const sources = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.sources'))
        .sort()
    : [];
  for (const file of sources) {
    for (const stanza of readFileSync(join(dir, file), 'utf8').split(/\n\s*\n/)) {
      const uris = /^URIs:\s*(\S+)/m.exec(stanza)?.[1];
      const suites = /^Suites:\s*(.+)$/m.exec(stanza)?.[1] ?? '';
      if (uris && /^Types:.*\bdeb\b/m.test(stanza) && /\bbookworm\b/.test(suites)) candidates.push(uris);
    }
  }
  if (existsSync('/etc/apt/sources.list')) {
    for (const m of readFileSync('/etc/apt/sources.list', 'utf8').matchAll(
      /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+bookworm\s/gm,
    )) {
      candidates.push(m[1]);
    }
  }
  return candidates[0];
}

function firstLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).pop() ?? '';
}

function imageExists(docker: string, image: string): boolean {
  return run(docker, ['image', 'inspect', image], { timeoutMs: 30_000 }).status === 0;
}

/** The Debian root filesystem as a tarball, made once with debootstrap. */
function rootfsTarball(): string | { reason: string } {
  const cache = process.env.GITOPS_PLATFORM_DOCKER_CACHE || join(homedir(), '.cache', 'gitops-platform', 'docker');
  const tarball = join(cache, 'debian-bookworm-minbase.tar');
  if (existsSync(tarball)) return tarball;
  const debootstrap = findTool('debootstrap') ?? ['/usr/sbin/debootstrap', '/sbin/debootstrap'].find(existsSync);
  if (!debootstrap) return { reason: 'no base image and no debootstrap to make one (apt-get install -y debootstrap)' };
  if (process.getuid?.() !== 0) return { reason: 'debootstrap needs root to make the base image' };
  const work = tempDir('rootfs');
  try {
    const rootfs = join(work, 'rootfs');
    const mirror = debianMirror();
    if (!mirror) return { reason: 'no Debian bookworm mirror in /etc/apt (set DEBIAN_MIRROR)' };
    const made = run(debootstrap, ['--variant=minbase', 'bookworm', rootfs, mirror], { timeoutMs: 15 * 60_000 });
    if (made.status !== 0) return { reason: `debootstrap failed: ${firstLine(made.stderr || made.stdout)}` };
    mkdirSync(cache, { recursive: true });
    // A part file of this process, renamed into place: two runs making the cache at once never mix.
    const part = `${tarball}.${process.pid}.part`;
    run('tar', ['-C', rootfs, '-cf', part, '.'], { check: true, timeoutMs: 5 * 60_000 });
    renameSync(part, tarball);
    return tarball;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function build(docker: string, tag: string, dockerfile: string, context: string): void {
  writeFileSync(join(context, 'Dockerfile'), dockerfile);
  run(docker, ['build', '-q', '-t', tag, context], {
    check: true,
    timeoutMs: 10 * 60_000,
    env: { DOCKER_BUILDKIT: '0' },
  });
}

export function prepareDocker(): DockerSetup {
  const docker = findTool('docker');
  if (!docker) return { ok: false, reason: 'no docker CLI' };
  const info = run(docker, ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 30_000 });
  if (info.status !== 0 || !info.stdout.trim()) {
    return {
      ok: false,
      reason: `no Docker daemon reachable (${firstLine(info.stderr) || `exit ${info.status}`}); start one, e.g. apt-get install -y docker.io && dockerd &`,
    };
  }

  if (!imageExists(docker, BASE)) {
    const tarball = rootfsTarball();
    if (typeof tarball !== 'string') return { ok: false, reason: tarball.reason };
    run(docker, ['import', tarball, BASE], { check: true, timeoutMs: 5 * 60_000 });
  }

  const version = process.version.slice(1);
  const buildImage = `gitops-platform-test/node-build:${version}`;
  const runtimeImage = `gitops-platform-test/node-runtime:${version}`;
  if (imageExists(docker, buildImage) && imageExists(docker, runtimeImage)) {
    return { ok: true, docker, buildImage, runtimeImage };
  }

  const npm = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm');
  if (!existsSync(join(npm, 'bin', 'npm-cli.js'))) return { ok: false, reason: `npm not found at ${npm}` };
  const ca = process.env.NODE_EXTRA_CA_CERTS || '/etc/ssl/certs/ca-certificates.crt';
  if (!existsSync(ca)) return { ok: false, reason: `no CA bundle at ${ca}` };
  const context = tempDir('node-base');
  try {
    copyFileSync(process.execPath, join(context, 'node'));
    copyFileSync(ca, join(context, 'ca-certificates.crt'));
    cpSync(npm, join(context, 'npm'), { recursive: true });
    build(
      docker,
      buildImage,
      [
        `FROM ${BASE}`,
        'COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt',
        'COPY node /usr/local/bin/node',
        'COPY npm /usr/local/lib/node_modules/npm',
        'RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm',
        'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt',
        'CMD ["node"]',
        '',
      ].join('\n'),
      context,
    );
    build(
      docker,
      runtimeImage,
      [
        `FROM ${BASE}`,
        'COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt',
        'COPY node /nodejs/bin/node',
        'USER 65532:65532',
        'WORKDIR /home/nonroot',
        'ENTRYPOINT ["/nodejs/bin/node"]',
        '',
      ].join('\n'),
      context,
    );
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
  return { ok: true, docker, buildImage, runtimeImage };
}
