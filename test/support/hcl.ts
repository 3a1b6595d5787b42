/**
 * HCL parsing for tests: python-hcl2 (the `hcl2` module checkov ships, in the tools venv that
 * scripts/install-tools.sh builds). One Python process parses every file and returns JSON in
 * python-hcl2's shape: blocks as lists of `{label: {attr: [value]}}`, expressions as "${...}" text.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cannotRun } from './skips.ts';
import { pythonCacheEnv, run, toolsDir } from './tools.ts';

const SCRIPT = `
import json, sys
import hcl2
out = {}
for path in json.load(sys.stdin):
    try:
        with open(path) as fh:
            out[path] = {"ok": hcl2.load(fh)}
    except Exception as e:
        out[path] = {"error": f"{type(e).__name__}: {e}"}
json.dump(out, sys.stdout, default=str)
`;

/** The Python that has python-hcl2, or undefined. */
export function hclPython(): string | undefined {
  const python = join(toolsDir(), 'venv', 'bin', 'python');
  if (!existsSync(python)) return undefined;
  return run(python, ['-c', 'import hcl2'], { env: pythonCacheEnv() }).status === 0 ? python : undefined;
}

/** Like requireTool: skip locally with a visible reason, fail under CI=true. */
export function requireHclParser(ctx: Mocha.Context): string {
  const python = hclPython();
  if (python) return python;
  cannotRun(ctx, 'tool-python-hcl2', 'python-hcl2 (tools venv) is not installed (run scripts/install-tools.sh)');
}

// biome-ignore lint/suspicious/noExplicitAny: parsed HCL is untyped JSON
export type Hcl = Record<string, any>;

/** Parses each file; a file that does not parse throws with every error. */
export function parseHcl(python: string, files: string[]): Map<string, Hcl> {
  const result = run(python, ['-c', SCRIPT], { input: JSON.stringify(files), check: true, env: pythonCacheEnv() });
  const parsed = JSON.parse(result.stdout) as Record<string, { ok?: Hcl; error?: string }>;
  const errors = Object.entries(parsed).filter(([, r]) => r.error);
  if (errors.length > 0) throw new Error(`HCL parse errors:\n${errors.map(([f, r]) => `${f}: ${r.error}`).join('\n')}`);
  return new Map(files.map((f) => [f, parsed[f].ok ?? {}]));
}

/** The blocks of one type in a parsed file, as [label, body] pairs (`variable "x" {}` → ['x', {...}]). */
export function blocks(file: Hcl, type: string): [string, Hcl][] {
  const list = (file[type] ?? []) as Hcl[];
  return list.flatMap((entry) => Object.entries(entry) as [string, Hcl][]);
}

/** Resource-like blocks with two labels (`resource "t" "n" {}` → ['t', 'n', {...}]). */
export function blocks2(file: Hcl, type: string): [string, string, Hcl][] {
  return blocks(file, type).flatMap(([t, byName]) =>
    (Object.entries(byName) as [string, Hcl][]).map(([n, body]) => [t, n, body] as [string, string, Hcl]),
  );
}

/** Every string (values and object keys) anywhere in a parsed value. */
export function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => (k.startsWith('__') ? [] : [k, ...strings(v)]));
  }
  return [];
}

/** An attribute's value (python-hcl2 wraps each in a one-element list). */
export function attr(body: Hcl, name: string): unknown {
  const v = body[name];
  return Array.isArray(v) && v.length === 1 ? v[0] : v;
}
