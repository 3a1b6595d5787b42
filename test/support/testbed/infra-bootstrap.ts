// What the infra repo's Terraform hands Argo CD in one environment, read from the generated files:
// the argo-cd chart values (terraform/argocd/argo-cd-values.yaml.tftpl) and the root Application
// (terraform/argocd/root-application.yaml.tftpl), with the arguments the environment's root
// (environments/<env>/main.tf) passes to module "argocd". The templates are evaluated as
// templatefile() would; anything but `${name}` and `${jsonencode(name)}` is refused, so that a
// template this reader does not understand fails the test instead of being misread.
//
// Stand-in: the argocd-apps chart (it lives on the internet). rootApplication and rootProject
// render its `applications` and `projects` values the way the chart's templates do for the keys
// the root uses.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { KubeObject } from './processes.ts';

export interface Bootstrap {
  /** argocd-cm data the argo-cd chart values add (configs.cm). */
  cm: Record<string, string>;
  /** The argo-cd chart values as Terraform passes them (before the environment's extra values). */
  values: Record<string, KubeObject>;
  /** The root Application manifest. */
  rootApplication: Record<string, KubeObject>;
  /** The AppProject the root Application runs in, made with it. */
  rootProject: Record<string, KubeObject>;
  /** Module arguments, for the test's own checks. */
  args: Record<string, string | number>;
}

/** The literal arguments of `module "<name>" { ... }` in an HCL file (strings and numbers). */
export function moduleArgs(hcl: string, name: string): Record<string, string | number> {
  const start = hcl.indexOf(`module "${name}" {`);
  if (start < 0) throw new Error(`no module "${name}"`);
  const end = hcl.indexOf('\n}\n', start);
  const args: Record<string, string | number> = {};
  for (const m of hcl.slice(start, end).matchAll(/^\s+(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|(\d+))\s*$/gm)) {
    args[m[1]] = m[2] !== undefined ? JSON.parse(`"${m[2]}"`) : Number(m[3]);
  }
  return args;
}

/** The variables main.tf passes to templatefile("${path.module}/<file>", { k = var.v, ... }). */
function templateVars(mainTf: string, file: string): Record<string, string> {
  const at = mainTf.indexOf(`templatefile("\${path.module}/${file}", {`);
  if (at < 0) throw new Error(`terraform/argocd/main.tf does not render ${file} with templatefile()`);
  const body = mainTf.slice(at, mainTf.indexOf('})', at));
  return Object.fromEntries([...body.matchAll(/^\s+(\w+)\s*=\s*var\.(\w+)\s*$/gm)].map((m) => [m[1], m[2]]));
}

/** templatefile() for the two interpolation forms the templates use. */
export function evaluateTemplate(text: string, vars: Record<string, string | number>): string {
  const out = text.replace(/\$\{(?:jsonencode\((\w+)\)|(\w+))\}/g, (_, json: string, plain: string) => {
    const name = json ?? plain;
    if (!(name in vars)) throw new Error(`template variable ${name} is not passed`);
    return json ? JSON.stringify(vars[name]) : String(vars[name]);
  });
  const left = /\$\{|%\{/.exec(out);
  if (left) throw new Error(`unsupported template syntax at ${out.slice(left.index, left.index + 40)}`);
  return out;
}

/**
 * One entry of the argocd-apps chart's `applications` or `projects` value, rendered as its
 * templates do: the keys they turn into metadata, the rest as the spec.
 */
function renderEntry(kind: 'Application' | 'AppProject', name: string, value: Record<string, KubeObject>) {
  const { namespace, finalizers, additionalLabels, additionalAnnotations, ...spec } = value;
  const metadata: Record<string, unknown> = { name, namespace };
  if (additionalLabels) metadata.labels = additionalLabels;
  if (additionalAnnotations) metadata.annotations = additionalAnnotations;
  if (finalizers) metadata.finalizers = finalizers;
  // templates/projects.yaml writes each list with `with`: an empty one is left out.
  if (kind === 'AppProject') {
    for (const [key, v] of Object.entries(spec)) if (Array.isArray(v) && v.length === 0) delete spec[key];
  }
  return { apiVersion: 'argoproj.io/v1alpha1', kind, metadata, spec } as Record<string, KubeObject>;
}

export function readBootstrap(infraDir: string, env: string): Bootstrap {
  const moduleDir = join(infraDir, 'terraform', 'argocd');
  const mainTf = readFileSync(join(moduleDir, 'main.tf'), 'utf8');
  const args = moduleArgs(readFileSync(join(infraDir, 'environments', env, 'main.tf'), 'utf8'), 'argocd');
  const resolve = (file: string) => {
    const vars = Object.fromEntries(
      Object.entries(templateVars(mainTf, file)).map(([k, v]) => {
        if (!(v in args)) throw new Error(`environments/${env}/main.tf passes no literal ${v} to module "argocd"`);
        return [k, args[v]];
      }),
    );
    return parse(evaluateTemplate(readFileSync(join(moduleDir, file), 'utf8'), vars));
  };
  const values = resolve('argo-cd-values.yaml.tftpl');
  const root = resolve('root-application.yaml.tftpl');
  const apps = Object.entries(root.applications as Record<string, KubeObject>);
  if (apps.length !== 1) throw new Error(`expected one root Application, got ${apps.length}`);
  const projects = Object.entries((root.projects ?? {}) as Record<string, KubeObject>);
  if (projects.length !== 1) throw new Error(`expected one project for the root Application, got ${projects.length}`);
  return {
    cm: Object.fromEntries(Object.entries(values.configs?.cm ?? {}).map(([k, v]) => [k, String(v)])),
    values,
    rootApplication: renderEntry('Application', apps[0][0], apps[0][1]),
    rootProject: renderEntry('AppProject', projects[0][0], projects[0][1]),
    args,
  };
}
