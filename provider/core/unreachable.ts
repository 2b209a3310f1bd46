/**
 * The message of a delete whose wait ended while the cluster could not be reached: the deletion was asked
 * for, but whether the object is gone is unknown, so the resource stays in state for the next run.
 */
import { formatDuration } from "../../shared/duration";

/**
 * Says that `what` was asked to be deleted, that the cluster did not answer until the `boundMs` wait ended
 * (with the last connection error), that nothing was dropped from state, and to run the command again.
 */
export function unreachableAfterDelete(what: string, boundMs: number, error: string): string {
  return (
    `${what}: its deletion was requested, but the cluster could not be reached until the ${formatDuration(boundMs)} ` +
    `wait (deleteTimeout) ended; last error: ${error}. Whether it is gone is unknown, so it stays in the stack's ` +
    "state. Fix: once the API server answers again (kubectl get --raw /readyz), run `pulumi destroy` (or the " +
    "`pulumi up` that was deleting it) again; a larger deleteTimeout rides out longer outages."
  );
}
