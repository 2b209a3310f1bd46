/** How every line the user sees about one resource starts, built in this one place. */

/** `[<resource name>] `: the start of every progress line, warning and error of one resource. */
export function resourcePrefix(resourceName: string): string {
  return `[${resourceName}] `;
}
