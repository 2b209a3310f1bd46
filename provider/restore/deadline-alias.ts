/**
 * `deadline`, the first name of VMRestore's `timeout` (renamed so both resources call the local wait bound
 * the same; KubeVirt's own `failureDeadline` is another thing). Programs and stored state may still carry
 * it: `check` maps it to `timeout` with a warning, and stored state reads it as `timeout`. Pure.
 */
import { duration, show } from "../../shared/fields";
import { containsUnknown, type CheckFailure } from "../core/check";
import { sameValue } from "../core/diff";

/** The deprecated input name. */
export const DEADLINE = "deadline";

const deadlineField = duration(DEADLINE, "20m", false);

/** Inputs with `deadline` mapped to `timeout`, what was wrong with it, and the deprecation warning. */
export interface DeadlineAlias {
  raw: Record<string, unknown>;
  failures: CheckFailure[];
  warnings: string[];
}

function deprecation(value: unknown): string {
  return (
    `deadline is deprecated: it was renamed to timeout, and its value ${show(value)} is used as timeout. ` +
    `Fix: rename deadline to timeout in the VMRestore's arguments (timeout: ${show(value)}).`
  );
}

function conflict(deadline: unknown, timeout: unknown): CheckFailure {
  return {
    property: DEADLINE,
    reason:
      `deadline is ${show(deadline)} and timeout is ${show(timeout)}: deadline is the deprecated name of ` +
      "timeout, so they cannot differ. Fix: remove deadline and keep timeout (or set the one value you mean as timeout).",
  };
}

/** Checks a `deadline` the program still sets, without judging values unknown in preview. */
function deadlineProblem(deadline: unknown, timeout: unknown): CheckFailure | undefined {
  if (containsUnknown(deadline)) return undefined;
  const parsed = deadlineField.safeParse(deadline);
  if (!parsed.success) return { property: DEADLINE, reason: parsed.error.issues[0]?.message ?? "" };
  if (timeout === undefined || containsUnknown(timeout) || sameValue(deadline, timeout)) return undefined;
  return conflict(deadline, timeout);
}

/**
 * Maps a program's `deadline` to `timeout` before the inputs are validated. A `deadline` alone (or equal to
 * `timeout`) is accepted with a warning; one that is not a duration, or differs from `timeout`, is a failure.
 */
export function applyDeadlineAlias(news: Record<string, unknown>): DeadlineAlias {
  const { [DEADLINE]: deadline, ...rest } = news;
  if (deadline === undefined) return { raw: news, failures: [], warnings: [] };
  const problem = deadlineProblem(deadline, rest["timeout"]);
  if (problem) return { raw: rest, failures: [problem], warnings: [] };
  return {
    // Only an absent timeout takes the deadline: a `null` one stays, to be judged (and refused) as it is.
    raw: { ...rest, timeout: rest["timeout"] === undefined ? deadline : rest["timeout"] },
    failures: [],
    warnings: [deprecation(deadline)],
  };
}

/** Stored state as this build reads it: `timeout` taken from the `deadline` earlier builds wrote. */
export function withStoredTimeout(props: Record<string, unknown>): Record<string, unknown> {
  const { [DEADLINE]: deadline, ...rest } = props;
  if (deadline === undefined) return props;
  return { ...rest, timeout: rest["timeout"] ?? deadline };
}
