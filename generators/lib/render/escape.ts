/**
 * Escaping helpers for the languages the templates write. Answers are already restricted by the
 * options table, but templates still quote every user string: a rule loosened later must not turn
 * into YAML, HCL or shell injection.
 */

/** A YAML double-quoted scalar. JSON string syntax is valid YAML 1.2 double-quoted syntax. */
export function yamlString(value: string): string {
  return JSON.stringify(value);
}

/** A JSON string literal. */
export function jsonString(value: string): string {
  return JSON.stringify(value);
}

/** An HCL quoted string: JSON escapes plus `${` and `%{` template sequences doubled. */
export function hclString(value: string): string {
  return JSON.stringify(value).replace(/\$\{/g, '$${').replace(/%\{/g, '%%{');
}

/** A POSIX shell word in single quotes. */
export function shellWord(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** What `<%= %>` may print: text, numbers and booleans, never undefined or an object by mistake. */
export function printable(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new TypeError(
    `template printed ${value === undefined ? 'undefined' : typeof value}; use a helper or fix the model`,
  );
}
