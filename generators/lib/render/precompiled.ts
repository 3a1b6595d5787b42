/**
 * Every template as a compiled function, keyed by its path under templates/. Empty here: the
 * sources compile templates when first used (templates.ts). scripts/bundle.mjs replaces this module
 * in the bundle with the functions of every template, compiled by the same templateSource.
 */
import type { TemplateFunction } from './templates.ts';

export const precompiled: Readonly<Record<string, TemplateFunction>> = {};
