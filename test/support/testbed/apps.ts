// Reading Argo CD's view of one cluster of the bed: Applications, their sync and health, their
// conditions, and the Warning events of the cluster.
import type { Cluster } from './cluster.ts';
import { type KubeObject, waitFor } from './processes.ts';

export interface AppState {
  name: string;
  sync: string;
  health: string;
  revision: string;
  conditions: string[];
  operation: string;
}

export function applications(cluster: Cluster): AppState[] {
  const list = cluster.getJson(['-n', 'argocd', 'applications.argoproj.io']);
  return list.items.map((a: KubeObject) => ({
    name: a.metadata.name,
    sync: a.status?.sync?.status ?? '',
    health: a.status?.health?.status ?? '',
    // Multi-source Applications (chart + $values) report one revision per source.
    revision: a.status?.sync?.revision || a.status?.sync?.revisions?.[0] || '',
    conditions: (a.status?.conditions ?? []).map((c: KubeObject) => `${c.type}: ${c.message}`),
    operation: a.status?.operationState ? `${a.status.operationState.phase}: ${a.status.operationState.message}` : '',
  }));
}

export const describe = (apps: AppState[]) =>
  apps
    .map(
      (a) =>
        `  ${a.name}: ${a.sync || '-'}/${a.health || '-'} @${a.revision.slice(0, 8)}${a.operation ? ` [${a.operation}]` : ''}${a.conditions.length ? ` conditions: ${a.conditions.join('; ')}` : ''}`,
    )
    .join('\n');

/**
 * Stand-in for the External Secrets controller, which would check each ClusterSecretStore against
 * AWS Secrets Manager and report Ready: the bed reports Ready for stores that have no status yet.
 */
export function markSecretStoresReady(cluster: Cluster): void {
  let stores: KubeObject;
  try {
    stores = cluster.getJson(['clustersecretstores.external-secrets.io']);
  } catch {
    return; // the CRD is not there yet
  }
  for (const s of stores.items) {
    if (s.status?.conditions?.length) continue;
    cluster.kubectl([
      'patch',
      'clustersecretstore',
      s.metadata.name,
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({
        status: {
          capabilities: 'ReadWrite',
          conditions: [
            { type: 'Ready', status: 'True', reason: 'Valid', message: 'store validated (test bed stand-in)' },
          ],
        },
      }),
    ]);
  }
}

/**
 * Stand-in for the AWS Load Balancer Controller, which would provision an ALB for each Ingress of
 * class alb and publish its DNS name: the bed publishes a made-up one.
 */
export function publishLoadBalancers(cluster: Cluster): void {
  const list = cluster.getJson(['ingresses', '--all-namespaces']);
  for (const ing of list.items) {
    if (ing.status?.loadBalancer?.ingress?.length) continue;
    const hostname = `k8s-${ing.metadata.namespace}-${ing.metadata.name}-0123456789.${cluster.name}.elb.amazonaws.com`;
    cluster.kubectl([
      '-n',
      ing.metadata.namespace,
      'patch',
      'ingress',
      ing.metadata.name,
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({ status: { loadBalancer: { ingress: [{ hostname }] } } }),
    ]);
  }
}

/**
 * Stand-in for the External Secrets controller's sync of each ExternalSecret (its `data` items),
 * from the cluster's stand-in for Secrets Manager: creationPolicy Merge adds the keys to the target
 * Secret and waits while it does not exist, as the controller does; Owner creates it. A name that
 * Secrets Manager does not hold makes the ExternalSecret not Ready, so Argo CD reports it Degraded.
 */
export function syncExternalSecrets(cluster: Cluster): void {
  let list: KubeObject;
  try {
    list = cluster.getJson(['externalsecrets.external-secrets.io', '--all-namespaces']);
  } catch {
    return; // the CRD is not there yet
  }
  for (const es of list.items) {
    if (es.status?.conditions?.some((c: KubeObject) => c.type === 'Ready' && c.status === 'True')) continue;
    const ns = es.metadata.namespace;
    const data: Record<string, string> = {};
    const missing: string[] = [];
    for (const item of es.spec.data ?? []) {
      const value = cluster.secretsManager[item.remoteRef.key];
      if (value === undefined) missing.push(item.remoteRef.key);
      else data[item.secretKey] = Buffer.from(value).toString('base64');
    }
    const target = es.spec.target?.name ?? es.metadata.name;
    let ready = { status: 'True', reason: 'SecretSynced', message: 'secret synced (test bed stand-in)' };
    if (missing.length) {
      ready = { status: 'False', reason: 'SecretSyncedError', message: `no such secret: ${missing.join(', ')}` };
    } else {
      try {
        if ((es.spec.target?.creationPolicy ?? 'Owner') === 'Merge') {
          cluster.kubectl(['-n', ns, 'patch', 'secret', target, '--type=merge', '-p', JSON.stringify({ data })]);
        } else {
          cluster.apply([{ apiVersion: 'v1', kind: 'Secret', metadata: { name: target, namespace: ns }, data }]);
        }
      } catch {
        continue; // the target Secret of a merge is not there yet: try again later
      }
    }
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    cluster.kubectl([
      '-n',
      ns,
      'patch',
      'externalsecret.external-secrets.io',
      es.metadata.name,
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({
        status: { refreshTime: now, conditions: [{ type: 'Ready', lastTransitionTime: now, ...ready }] },
      }),
    ]);
  }
}

/** What the controllers the bed stands in for would have done by now. */
export function standInControllers(cluster: Cluster): void {
  markSecretStoresReady(cluster);
  syncExternalSecrets(cluster);
  publishLoadBalancers(cluster);
}

/**
 * Waits until the Applications named (all of them when `expected` is undefined, and at least one)
 * are Synced and Healthy at `revision` (when given), with no condition and no running operation.
 */
export async function waitConverged(
  cluster: Cluster,
  what: string,
  options: { expected?: string[]; revision?: string; timeoutMs: number; extra?: () => boolean },
): Promise<AppState[]> {
  let last: AppState[] = [];
  try {
    return await waitFor(
      what,
      () => {
        standInControllers(cluster);
        last = applications(cluster);
        if (!last.length) return undefined;
        const names = last.map((a) => a.name);
        if (options.expected && !options.expected.every((n) => names.includes(n))) return undefined;
        const done = last.every(
          (a) =>
            a.sync === 'Synced' &&
            a.health === 'Healthy' &&
            a.conditions.length === 0 &&
            !a.operation.startsWith('Running') &&
            // Add-ons report their chart version; everything from the GitOps repo its commit.
            (!options.revision || !/^[0-9a-f]{40}$/.test(a.revision) || a.revision === options.revision),
        );
        return done && (options.extra?.() ?? true) ? last : undefined;
      },
      options.timeoutMs,
      500,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\nApplications in ${cluster.name}:\n${describe(last)}`);
  }
}

/**
 * The API server's own race, not anything the platform deployed: every 3 minutes its cluster IP
 * repair loop reads the allocation bitmap, then lists Services (kubernetes pkg/registry/core/service/
 * ipallocator/controller/repair.go). A Service created between the two reads, the `kubernetes` one
 * at start-up or a service synced at that moment, is reported "is not allocated; repairing" and
 * keeps its IP. Only that controller's ClusterIPNotAllocated on a Service is set aside.
 */
function apiServerRepairRace(e: KubeObject): boolean {
  return (
    e.reason === 'ClusterIPNotAllocated' &&
    e.involvedObject.kind === 'Service' &&
    (e.reportingComponent === 'ipallocator-repair-controller' ||
      e.source?.component === 'ipallocator-repair-controller')
  );
}

/** Warning events of the whole cluster, as "namespace/object: reason: message". */
export function warningEvents(cluster: Cluster): string[] {
  const list = cluster.getJson(['events', '--all-namespaces', '--field-selector=type=Warning']);
  return list.items
    .filter((e: KubeObject) => !apiServerRepairRace(e))
    .map(
      (e: KubeObject) =>
        `${e.involvedObject.namespace ?? ''}/${e.involvedObject.kind}/${e.involvedObject.name}: ${e.reason}: ${e.message}`,
    );
}
