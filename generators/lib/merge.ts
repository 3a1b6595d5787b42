/**
 * Three-way merges of one file: base (what the templates rendered before), ours (the file as the
 * team has it now) and theirs (what the templates render now). Used by `service` (a shared file
 * gains the new service) and by `upgrade` (newer templates).
 *
 * Order of attempts:
 *  1. trivial cases (nobody changed it, only one side changed it, both made the same change);
 *  2. for YAML and JSON, when the template change only ADDS list items or map keys (a new service in
 *     a list of namespaces): apply those additions to the team's document through a parser that keeps
 *     every other byte (yaml's Document API, only when it round-trips the file exactly; jsonc-parser
 *     edits for JSON), so an edit next to the list does not conflict;
 *  3. otherwise a line merge by git (`git merge-file --diff3`), whose conflict markers are standard.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { applyEdits, modify } from 'jsonc-parser';
import { isMap, isSeq, parseDocument } from 'yaml';

interface MergeResult {
  content: string;
  /** Number of conflict hunks left as markers in `content` (0: merged cleanly). */
  conflicts: number;
  how: 'unchanged' | 'theirs' | 'ours' | 'structural' | 'text';
}

type Path = (string | number)[];
interface Addition {
  path: Path;
  /**
   * Sequence item: inserted after `after` (a value of base), or first; `run` counts the items theirs
   * adds before it at the same place, so several additions keep theirs' order.
   */
  item?: { value: unknown; after: unknown; first: boolean; run: number };
  /** Map key: inserted after the key `afterKey`. */
  key?: { key: string; value: unknown; afterKey?: string };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What theirs adds to base, when that is all it does; undefined for any other kind of change. */
export function additions(base: unknown, theirs: unknown, path: Path = []): Addition[] | undefined {
  if (isDeepStrictEqual(base, theirs)) return [];
  if (Array.isArray(base) && Array.isArray(theirs)) {
    const out: Addition[] = [];
    let j = 0;
    let run = 0;
    for (const value of theirs) {
      if (j < base.length && isDeepStrictEqual(value, base[j])) {
        j++;
        run = 0;
      } else out.push({ path, item: { value, after: j > 0 ? base[j - 1] : undefined, first: j === 0, run: run++ } });
    }
    return j === base.length ? out : undefined;
  }
  if (isObject(base) && isObject(theirs)) {
    const out: Addition[] = [];
    let previous: string | undefined;
    for (const key of Object.keys(theirs)) {
      if (key in base) {
        const inner = additions(base[key], theirs[key], [...path, key]);
        if (!inner) return undefined;
        out.push(...inner);
      } else out.push({ path, key: { key, value: theirs[key], afterKey: previous } });
      previous = key;
    }
    return Object.keys(base).every((k) => k in theirs) ? out : undefined;
  }
  return undefined;
}

/** Offsets of the whole lines a node occupies: from the start of its first line to after its last newline. */
function lineSpan(text: string, from: number, to: number): [number, number] {
  const start = text.lastIndexOf('\n', from - 1) + 1;
  const nl = text.indexOf('\n', Math.max(to - 1, from));
  return [start, nl < 0 ? text.length : nl + 1];
}

function column(text: string, offset: number): number {
  return offset - (text.lastIndexOf('\n', offset - 1) + 1);
}

/** Block-style lines of one sequence item or map pair, re-indented by `delta` columns. */
function reindent(lines: string, delta: number): string | undefined {
  if (delta === 0) return lines;
  const out: string[] = [];
  for (const line of lines.split('\n')) {
    if (line === '') out.push(line);
    else if (delta > 0) out.push(' '.repeat(delta) + line);
    else if (/^ +$/.test(line.slice(0, -delta))) out.push(line.slice(-delta));
    else return undefined;
  }
  return out.join('\n');
}

type Located = { range?: [number, number, number] | null };

/**
 * Applies additions by copying the added lines from the new render into the team's file at the
 * matching place; every other byte of their file stays as it is. Only block-style collections.
 */
function mergeYamlAdditions(ours: string, theirs: string, found: Addition[]): string | undefined {
  const mine = parseDocument(ours, { keepSourceTokens: true });
  const next = parseDocument(theirs, { keepSourceTokens: true });
  if (mine.errors.length > 0 || next.errors.length > 0) return undefined;
  const edits: { at: number; text: string }[] = [];
  for (const add of found) {
    const node = add.path.length === 0 ? mine.contents : mine.getIn(add.path, true);
    const source = add.path.length === 0 ? next.contents : next.getIn(add.path, true);
    if (add.item && isSeq(node) && isSeq(source) && !node.flow && !source.flow) {
      const values = node.items.map((n) => (n as { toJSON?: () => unknown })?.toJSON?.() ?? n);
      if (values.some((v) => isDeepStrictEqual(v, add.item?.value))) continue;
      const added = source.items.find((n) =>
        isDeepStrictEqual((n as { toJSON?: () => unknown })?.toJSON?.() ?? n, add.item?.value),
      ) as Located;
      const anchorIndex = add.item.first ? -1 : values.findIndex((v) => isDeepStrictEqual(v, add.item?.after));
      const anchor = (anchorIndex >= 0 ? node.items[anchorIndex] : node.items.at(-1)) as Located | undefined;
      const firstItem = node.items[0] as Located | undefined;
      if (!added?.range || !anchor?.range || !firstItem?.range) return undefined;
      // The "- " indicator sits before the item's range start on the same line.
      const dashTheirs = theirs.lastIndexOf('-', added.range[0]);
      const dashOurs = ours.lastIndexOf('-', firstItem.range[0]);
      const [from, to] = lineSpan(theirs, dashTheirs, added.range[1]);
      const lines = reindent(theirs.slice(from, to), column(ours, dashOurs) - column(theirs, dashTheirs));
      if (lines === undefined) return undefined;
      const at = add.item.first
        ? lineSpan(ours, dashOurs, dashOurs)[0]
        : lineSpan(ours, anchor.range[0], anchor.range[1])[1];
      edits.push({ at, text: lines });
    } else if (add.key && isMap(node) && isMap(source) && !node.flow && !source.flow) {
      if (node.has(add.key.key)) {
        if (!isDeepStrictEqual(mine.getIn([...add.path, add.key.key]), add.key.value)) return undefined;
        continue;
      }
      const pair = source.items.find((p) => (p.key as { value?: unknown })?.value === add.key?.key);
      const keyNode = pair?.key as Located | undefined;
      const valueNode = pair?.value as Located | undefined;
      const afterPair = node.items.find((p) => (p.key as { value?: unknown })?.value === add.key?.afterKey);
      const anchor = (afterPair ?? node.items.at(-1))?.value as Located | undefined;
      const anchorKey = (afterPair ?? node.items.at(-1))?.key as Located | undefined;
      if (!keyNode?.range || !anchor?.range || !anchorKey?.range) return undefined;
      const [from, to] = lineSpan(theirs, keyNode.range[0], valueNode?.range?.[1] ?? keyNode.range[1]);
      const lines = reindent(
        theirs.slice(from, to),
        column(ours, anchorKey.range[0]) - column(theirs, keyNode.range[0]),
      );
      if (lines === undefined) return undefined;
      edits.push({ at: lineSpan(ours, anchor.range[0], anchor.range[1])[1], text: lines });
    } else return undefined;
  }
  let text = ours;
  // From the end, so earlier offsets stay valid; at one offset the later addition goes in first, so
  // the additions end up in theirs' order.
  const ordered = edits.map((edit, n) => ({ ...edit, n })).sort((a, b) => b.at - a.at || b.n - a.n);
  for (const edit of ordered) {
    const prefix = text.slice(0, edit.at);
    text = `${prefix}${prefix.endsWith('\n') || prefix === '' ? '' : '\n'}${edit.text}${text.slice(edit.at)}`;
  }
  // The result must mean exactly the team's document plus the additions, or the line merge decides.
  const result = parseDocument(text);
  if (result.errors.length > 0 || !isDeepStrictEqual(result.toJS(), withAdditions(mine.toJS(), found)))
    return undefined;
  return text;
}

/** The plain-data meaning of applying the additions (positions as in mergeYamlAdditions). */
function withAdditions(data: unknown, found: Addition[]): unknown {
  const copy = structuredClone(data);
  for (const add of found) {
    const node = add.path.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)?.[k], copy);
    if (add.item && Array.isArray(node)) {
      if (node.some((v) => isDeepStrictEqual(v, add.item?.value))) continue;
      const anchor = add.item.first ? -1 : node.findIndex((v) => isDeepStrictEqual(v, add.item?.after));
      const place = add.item.first ? 0 : anchor >= 0 ? anchor + 1 : node.length;
      node.splice(Math.min(place + add.item.run, node.length), 0, add.item.value);
    } else if (add.key && isObject(node) && !(add.key.key in node)) node[add.key.key] = add.key.value;
  }
  return copy;
}

function mergeJsonAdditions(ours: string, found: Addition[]): string | undefined {
  let text = ours;
  let current: unknown;
  try {
    current = JSON.parse(text);
  } catch {
    return undefined;
  }
  const indent = /\n( +)\S/.exec(text)?.[1].length ?? 2;
  const formattingOptions = { insertSpaces: true, tabSize: indent, eol: '\n' };
  const at = (path: Path): unknown =>
    path.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)?.[k], current);
  for (const add of found) {
    const node = at(add.path);
    if (add.item && Array.isArray(node)) {
      if (node.some((v) => isDeepStrictEqual(v, add.item?.value))) continue;
      const anchor = add.item.first ? -1 : node.findIndex((v) => isDeepStrictEqual(v, add.item?.after));
      const place = add.item.first ? 0 : anchor >= 0 ? anchor + 1 : node.length;
      const index = Math.min(place + add.item.run, node.length);
      text = applyEdits(
        text,
        modify(text, [...add.path, index], add.item.value, { isArrayInsertion: true, formattingOptions }),
      );
    } else if (add.key && isObject(node)) {
      if (add.key.key in node) {
        if (!isDeepStrictEqual(node[add.key.key], add.key.value)) return undefined;
        continue;
      }
      text = applyEdits(text, modify(text, [...add.path, add.key.key], add.key.value, { formattingOptions }));
    } else return undefined;
    current = JSON.parse(text);
  }
  return text;
}

function parseData(path: string, text: string): unknown {
  if (/\.json$/.test(path)) return JSON.parse(text);
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw doc.errors[0];
  return doc.toJS();
}

/** Line merge with git; conflicts become standard diff3 markers labelled with the sides. */
function mergeText(
  base: string,
  ours: string,
  theirs: string,
  labels: { ours: string; base: string; theirs: string },
): { content: string; conflicts: number } {
  const dir = mkdtempSync(join(tmpdir(), 'gitops-platform-merge-'));
  try {
    const files = { ours: join(dir, 'ours'), base: join(dir, 'base'), theirs: join(dir, 'theirs') };
    writeFileSync(files.ours, ours);
    writeFileSync(files.base, base);
    writeFileSync(files.theirs, theirs);
    const result = spawnSync(
      'git',
      [
        'merge-file',
        '--diff3',
        '-L',
        labels.ours,
        '-L',
        labels.base,
        '-L',
        labels.theirs,
        files.ours,
        files.base,
        files.theirs,
      ],
      { encoding: 'utf8' },
    );
    if (result.status === null || result.status < 0 || result.status > 127) {
      throw new Error(`git merge-file failed: ${result.stderr || result.error}`);
    }
    return { content: readFileSync(files.ours, 'utf8'), conflicts: result.status };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function mergeFile(
  path: string,
  base: string,
  ours: string,
  theirs: string,
  labels = { ours: 'yours', base: 'generated before', theirs: 'generated now' },
): MergeResult {
  if (ours === theirs) return { content: ours, conflicts: 0, how: base === ours ? 'unchanged' : 'ours' };
  if (ours === base) return { content: theirs, conflicts: 0, how: 'theirs' };
  if (base === theirs) return { content: ours, conflicts: 0, how: 'ours' };
  if (/\.(ya?ml|json)$/.test(path)) {
    try {
      const found = additions(parseData(path, base), parseData(path, theirs));
      const apply = (text: string) =>
        found && (path.endsWith('.json') ? mergeJsonAdditions(text, found) : mergeYamlAdditions(text, theirs, found));
      // Only when the additions are the whole change: applied to base they must give theirs byte for
      // byte, or a change they do not carry (a comment, a reformatted line) would be lost.
      if (found && apply(base) === theirs) {
        const merged = apply(ours);
        if (merged !== undefined) return { content: merged, conflicts: 0, how: 'structural' };
      }
    } catch {
      // Not parseable by one side: the line merge below still applies.
    }
  }
  return { ...mergeText(base, ours, theirs, labels), how: 'text' };
}
