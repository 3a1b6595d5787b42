/**
 * The answers file of `--answers`: YAML or JSON, keys as in the options table. Reading it is the
 * only thing this module does; the values are checked by validate.ts like any other answers.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { visit as visitJson } from 'jsonc-parser';
import { parseDocument, stringify, visit } from 'yaml';
import { UsageError, ValidationError } from '../errors.ts';
import { answerKeys, type PlatformAnswers, platformKeys, type ServiceAnswers } from './table.ts';
import type { RawAnswers } from './validate.ts';

/**
 * Reads an answers file. YAML plain scalars that look like numbers are kept as their source text,
 * so `awsAccountId: 012345678901` keeps its leading zero (YAML would read 12345678901) and
 * `kubernetesVersion: 1.30` stays "1.30". JSON numbers are numbers; the parsers restore or refuse them.
 */
export function loadAnswersFile(path: string): RawAnswers {
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--answers: cannot read ${path}: ${(error as Error).message}`);
  }
  let data: unknown;
  if (extname(path).toLowerCase() === '.json') {
    try {
      data = JSON.parse(source);
    } catch (error) {
      throw new UsageError(`--answers: ${path} is not valid JSON: ${(error as Error).message}`);
    }
    // JSON.parse keeps the last of two equal keys; which one was meant is not ours to guess.
    const repeated = repeatedJsonKey(source);
    if (repeated) throw new UsageError(`--answers: ${path} gives "${repeated}" more than once; give it once.`);
  } else {
    const doc = parseDocument(source);
    if (doc.errors.length > 0) {
      throw new UsageError(`--answers: ${path} is not valid YAML: ${doc.errors[0].message.split('\n')[0]}`);
    }
    visit(doc, {
      Scalar(_key, node) {
        if (typeof node.value === 'number' && node.source && /^\d+(\.\d+)?$/.test(node.source)) {
          node.value = node.source;
        }
      },
    });
    data = doc.toJS();
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw new UsageError(`--answers: ${path} must hold a map of answers (keys: ${answerKeys.join(', ')})`);
  }
  const unknown = Object.keys(data).filter((k) => !(answerKeys as string[]).includes(k));
  if (unknown.length > 0) {
    throw new ValidationError(
      unknown.map((field) => ({
        field,
        value: (data as Record<string, unknown>)[field],
        rule: `is not a known answer (known: ${answerKeys.join(', ')})`,
      })),
    );
  }
  return data as RawAnswers;
}

/** The first key that appears twice in one object of a JSON text (YAML's parser refuses these itself). */
function repeatedJsonKey(source: string): string | undefined {
  const objects: Set<string>[] = [];
  let repeated: string | undefined;
  visitJson(source, {
    onObjectBegin: () => {
      objects.push(new Set());
    },
    onObjectEnd: () => {
      objects.pop();
    },
    onObjectProperty: (key) => {
      const keys = objects.at(-1);
      if (keys?.has(key)) repeated ??= key;
      keys?.add(key);
    },
  });
  return repeated;
}

/** Where an interactive `new` offers to keep its answers. */
export const ANSWERS_FILE = 'gitops-platform.answers.yaml';

/**
 * Answers as an answers file that --answers reads back to the same answers, without a prompt: every
 * key in table order, every value a string or list of strings except the port, account IDs quoted.
 */
export function answersFileText(platform: PlatformAnswers, service: ServiceAnswers): string {
  // Every answer, unset optional ones as empty: a file without one would be asked for it again.
  const answers: Record<string, unknown> = {};
  for (const key of platformKeys) answers[key] = platform[key] ?? (key === 'accounts' ? {} : '');
  answers.service = service.name;
  answers.port = service.port;
  const header = '# Answers of `gitops-platform new`; run it again with: gitops-platform new --answers <this file>\n';
  return header + stringify(answers, { defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' });
}
