/**
 * State written by older versions, brought to today's shape before it is validated. Each entry
 * takes `.yo-rc.json` state from one format to the next; reading runs every step from the recorded
 * format up to STATE_FORMAT, so adding an answer never stops an older repo from upgrading: its
 * migration fills the new answer in (or leaves it to the table's default).
 */
import { UsageError } from '../errors.ts';

type RawState = Record<string, unknown>;

/** migrations[n] takes format n+1 to n+2. Append only; never change a published step. */
const migrations: ((state: RawState) => RawState)[] = [
  // 1 -> 2: 0.1.0 wrote no `format` field; its layout is otherwise today's.
  (state) => ({ format: 2, ...state }),
  // 2 -> 3: VPC CIDRs are recorded (vpcCidrs). Before, each environment had 10.(10 + its position).0.0/16:
  // record exactly those, the ones its VPC was made with.
  (state) => {
    const answers = (state.answers ?? {}) as Record<string, unknown>;
    const environments = Array.isArray(answers.environments) ? (answers.environments as string[]) : [];
    const vpcCidrs = answers.vpcCidrs ?? Object.fromEntries(environments.map((env, i) => [env, `10.${10 + i}.0.0/16`]));
    return { ...state, format: 3, answers: { ...answers, vpcCidrs } };
  },
];

/** The `format` written into `.yo-rc.json` today: one more than the steps that lead to it. */
export const STATE_FORMAT = migrations.length + 1;

/** The format of raw state: the field, or 1 for the layout 0.1.0 wrote without one. */
function formatOf(state: RawState): number {
  return state.format === undefined ? 1 : (state.format as number);
}

/** Raw `.yo-rc.json` state in today's format; `file` names it in errors. */
export function migrateState(state: RawState, file: string): RawState {
  const format = formatOf(state);
  if (!Number.isInteger(format) || format < 1) {
    throw new UsageError(`${file}: "format" must be a positive integer, not ${JSON.stringify(state.format)}`);
  }
  if (format > STATE_FORMAT) {
    throw new UsageError(
      `${file} has state format ${format}, written by a newer generator-gitops-platform (this one reads up to ` +
        `${STATE_FORMAT}): upgrade the generator first.`,
    );
  }
  let migrated = state;
  for (let next = format; next < STATE_FORMAT; next++) migrated = migrations[next - 1](migrated);
  return migrated;
}
