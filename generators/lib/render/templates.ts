/**
 * How an EJS template becomes a function, the same way whether it is compiled when first used
 * (sources, tests) or ahead of time into the bundle: scripts/bundle.mjs puts `templateSource` of
 * every template into precompiled.ts, so the bin never parses EJS at run time. Strict mode and
 * named locals instead of `with`, so the function's source can live in the bundle's strict code.
 */
import ejs from 'ejs';

/** The names every template sees (render.ts's TemplateContext). */
const TEMPLATE_LOCALS = ['m', 'service', 'env', 'se', 'h'] as const;

/** A compiled template: its locals and the escape function of `<%= %>` in, the text out. */
export type TemplateFunction = (locals: object, escapeFn: (value: unknown) => string) => string;

/** The body of a template's function `(locals, escapeFn)`, as EJS generates it. */
export function templateSource(text: string, filename: string): string {
  const template = new ejs.Template(text, {
    filename,
    strict: true,
    destructuredLocals: [...TEMPLATE_LOCALS],
    // Line tracking would need EJS's rethrow at run time; render.ts names the template instead.
    compileDebug: false,
  });
  template.compile();
  // The generated body; compile() adds strict mode only to the copy it evaluates itself.
  return `"use strict";\n${(template as unknown as { source: string }).source}`;
}

/** A template compiled now, from its text. */
export function compileTemplate(text: string, filename: string): TemplateFunction {
  return new Function('locals', 'escapeFn', templateSource(text, filename)) as TemplateFunction;
}
