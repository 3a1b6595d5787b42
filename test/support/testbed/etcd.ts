// The bed's one etcd on 127.0.0.1: every cluster keeps its objects under a prefix of its own.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type BedProcess, freePort, start, tail, waitFor } from './processes.ts';

export interface Etcd {
  url: string;
  proc: BedProcess;
}

export async function startEtcd(bedDir: string, bin: string): Promise<Etcd> {
  const dir = join(bedDir, 'etcd');
  mkdirSync(dir, { recursive: true });
  const [client, peer] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${client}`;
  const proc = start(
    'etcd',
    join(bin, 'etcd'),
    [
      '--name=testbed',
      `--data-dir=${join(dir, 'data')}`,
      `--listen-client-urls=${url}`,
      `--advertise-client-urls=${url}`,
      `--listen-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-cluster=testbed=http://127.0.0.1:${peer}`,
      // A throw-away store: no fsync, so four API servers writing at once stay fast on 2 cores.
      '--unsafe-no-fsync',
      '--log-level=warn',
    ],
    { logDir: dir },
  );
  await waitFor(
    `etcd (log: ${proc.log})`,
    async () => {
      if (proc.child.exitCode !== null) throw new Error(`exited:\n${tail(proc.log)}`);
      const res = await fetch(`${url}/health`).catch(() => undefined);
      return res?.ok ? true : undefined;
    },
    30_000,
    200,
  );
  return { url, proc };
}
