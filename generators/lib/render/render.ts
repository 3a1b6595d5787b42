/**
 * The renderer: a pure function from (model, repo) to files. No clock, no randomness, no network;
 * it only reads templates shipped in the package. Generators, upgrade and tests all call it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Environment, Model, Repo, RepoKind, Service, ServiceEnvironment } from '../model.ts';
import { pin, uses } from '../pins.ts';
import { hclString, jsonString, printable, shellWord, yamlString } from './escape.ts';
import { precompiled } from './precompiled.ts';
import { appFiles } from './tables/app.ts';
import { gitopsFiles } from './tables/gitops.ts';
import { infraFiles } from './tables/infra.ts';
import { compileTemplate, type TemplateFunction } from './templates.ts';

export type Policy = 'merge' | 'once';

/** One row of a repo's file table. The template path mirrors the output path. */
export interface FileRow {
  /** Path under templates/<repo>/ without the `.ejs` suffix; `__service__` and `__env__` are replaced. */
  template: string;
  /** Render once, once per service, once per environment, or once per service and environment. */
  each?: 'service' | 'environment' | 'service-environment';
  when?: (model: Model) => boolean;
  /** merge (default): upgrade keeps it in step with templates; once: the team owns it after creation. */
  policy?: Policy;
  /** Where an older version wrote this file (same tokens); upgrade moves it, keeping the team's edits. */
  renamedFrom?: string;
  /** common: the template is templates/common/'s, the same for every repo (default: the repo's own tree). */
  tree?: 'common';
}

export interface RenderedFile {
  path: string;
  content: string;
  policy: Policy;
  /** The file's path in older versions, when the template was renamed. */
  renamedFrom?: string;
}

export interface RenderedRepo {
  repo: Repo;
  /** The service an app repo belongs to. */
  service?: string;
  files: RenderedFile[];
}

const tables: Record<RepoKind, readonly FileRow[]> = { gitops: gitopsFiles, infra: infraFiles, app: appFiles };

/** The package root: found from this file, whether it runs from sources, dist/ or the bundle. */
export const packageRoot = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!(existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'templates')))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('generator-gitops-platform: cannot find the package root with templates/');
    dir = parent;
  }
  return dir;
})();

const templatesRoot = join(packageRoot, 'templates');

const compiled = new Map<string, TemplateFunction>();

/** A template by its path under templates/: precompiled in the bundle, else compiled once here. */
function template(path: string): TemplateFunction {
  let fn = compiled.get(path) ?? precompiled[path];
  if (!fn) {
    fn = compileTemplate(readFileSync(join(templatesRoot, path), 'utf8'), path);
    compiled.set(path, fn);
  }
  return fn;
}

/** One file's text; an error (an undefined value, which `printable` refuses) names the template. */
function renderTemplate(path: string, ctx: TemplateContext): string {
  try {
    return template(path)(ctx, printable);
  } catch (error) {
    if (error instanceof Error) error.message = `templates/${path}: ${error.message}`;
    throw error;
  }
}

/** What every template sees. Helpers escape for the target language. */
export interface TemplateContext {
  m: Model;
  service?: Service;
  env?: Environment;
  /** This service in this environment (for per-service-environment files). */
  se?: ServiceEnvironment;
  h: typeof helpers;
}

const helpers = { yaml: yamlString, json: jsonString, hcl: hclString, sh: shellWord, pin, uses };

interface Instance {
  path: string;
  ctx: TemplateContext;
}

function substitute(template: string, service?: Service, env?: Environment): string {
  return template.replaceAll('__service__', service?.name ?? '').replaceAll('__env__', env?.name ?? '');
}

function instances(
  row: FileRow,
  kind: RepoKind,
  model: Model,
  services: Service[],
  only?: (s: Service) => boolean,
): Instance[] {
  const base = { m: model, h: helpers };
  const dest = (service?: Service, env?: Environment) => substitute(row.template, service, env);
  switch (row.each) {
    case undefined:
      // An app repo's files belong to its one service; shared files of the infra and GitOps repos
      // belong to no service (so adding one never rewrites an example that named another).
      return [{ path: dest(), ctx: { ...base, service: kind === 'app' ? services[0] : undefined } }];
    case 'service':
      return services
        .filter(only ?? (() => true))
        .map((service) => ({ path: dest(service), ctx: { ...base, service } }));
    case 'environment':
      return model.environments.map((env) => ({ path: dest(undefined, env), ctx: { ...base, env } }));
    case 'service-environment':
      return services.filter(only ?? (() => true)).flatMap((service) =>
        service.environments.map((se) => ({
          path: dest(service, se.env),
          ctx: { ...base, service, env: se.env, se },
        })),
      );
  }
}

/**
 * Renders one repo. For an app repo, `serviceName` picks the service; the GitOps and infra repos
 * cover every service in the model, or, with `onlyServices`, the per-service files of just those
 * (the shared files are always complete). A service's own files depend on no other service, so
 * `service` renders only the new service's files instead of every chart twice.
 */
export function renderRepo(
  model: Model,
  kind: RepoKind,
  serviceName?: string,
  onlyServices?: readonly string[],
): RenderedRepo {
  let services = model.services;
  let repo: Repo;
  if (kind === 'app') {
    const service = model.services.find((s) => s.name === serviceName);
    if (!service) throw new Error(`renderRepo: no service named ${serviceName}`);
    services = [service];
    repo = service.repo;
  } else repo = model.repos[kind];

  const files: RenderedFile[] = [];
  for (const row of tables[kind]) {
    if (row.when && !row.when(model)) continue;
    const source = `${row.tree ?? (kind === 'app' ? 'app-node' : kind)}/${row.template}.ejs`;
    const only = onlyServices ? (s: Service) => onlyServices.includes(s.name) : undefined;
    for (const { path, ctx } of instances(row, kind, model, services, only)) {
      const file: RenderedFile = { path, content: renderTemplate(source, ctx), policy: row.policy ?? 'merge' };
      if (row.renamedFrom) file.renamedFrom = substitute(row.renamedFrom, ctx.service, ctx.env);
      files.push(file);
    }
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { repo, service: kind === 'app' ? services[0].name : undefined, files };
}

/** The three repos `new` writes: infra, GitOps and the app repo of each service. */
export function renderWorkspace(model: Model): RenderedRepo[] {
  return [
    renderRepo(model, 'infra'),
    renderRepo(model, 'gitops'),
    ...model.services.map((s) => renderRepo(model, 'app', s.name)),
  ];
}
