/** One refused answer: which field, what value, which rule it breaks. */
export interface Violation {
  field: string;
  value: unknown;
  rule: string;
}

/** Bad user input. The CLI prints it without a stack trace and exits 1 before anything is written. */
export class UsageError extends Error {
  override name = 'UsageError';
  readonly exitCode: number = 1;
}

export class ValidationError extends UsageError {
  override name = 'ValidationError';
  constructor(readonly violations: Violation[]) {
    super(
      `Invalid answers, nothing was written:\n${violations
        .map((v) => `  - ${v.field}: ${formatValue(v.value)} ${v.rule}`)
        .join('\n')}`,
    );
  }
}

export function formatValue(value: unknown): string {
  if (value === undefined) return '(missing)';
  return JSON.stringify(value) ?? String(value);
}
