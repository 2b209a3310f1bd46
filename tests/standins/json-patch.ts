/**
 * A small RFC 6902 JSON Patch (add, remove, replace, test), pure: what a VirtualMachineRestore's `patches[]`
 * need when the restore creates a new VM (semantics §6). Paths are JSON Pointers (RFC 6901).
 */

/** One patch operation. */
export interface PatchOp {
  op: string;
  path: string;
  value?: unknown;
}

type Container = Record<string, unknown> | unknown[];

function tokens(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new Error(`invalid JSON pointer ${JSON.stringify(pointer)}`);
  return pointer
    .slice(1)
    .split("/")
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function parentOf(doc: unknown, path: string): { parent: Container; key: string } {
  const parts = tokens(path);
  const key = parts.pop();
  if (key === undefined) throw new Error("cannot patch the document root");
  let node: unknown = doc;
  for (const part of parts) {
    node = (node as Record<string, unknown> | undefined)?.[part];
    if (typeof node !== "object" || node === null) throw new Error(`path ${path} does not exist`);
  }
  return { parent: node as Container, key };
}

function index(list: unknown[], key: string, forAdd: boolean): number {
  const i = key === "-" && forAdd ? list.length : Number(key);
  if (!Number.isInteger(i) || i < 0 || i > list.length - (forAdd ? 0 : 1))
    throw new Error(`index ${key} out of range`);
  return i;
}

function apply(doc: unknown, op: PatchOp): void {
  const { parent, key } = parentOf(doc, op.path);
  const list = Array.isArray(parent) ? parent : undefined;
  const map = parent as Record<string, unknown>;
  const exists = list ? Number(key) < list.length : key in map;
  switch (op.op) {
    case "add":
      if (list) list.splice(index(list, key, true), 0, structuredClone(op.value));
      else map[key] = structuredClone(op.value);
      return;
    case "remove":
    case "replace":
      if (!exists) throw new Error(`path ${op.path} does not exist`);
      if (list)
        list.splice(index(list, key, false), 1, ...(op.op === "replace" ? [structuredClone(op.value)] : []));
      else if (op.op === "remove") delete map[key];
      else map[key] = structuredClone(op.value);
      return;
    case "test":
      if (JSON.stringify(list ? list[Number(key)] : map[key]) !== JSON.stringify(op.value))
        throw new Error(`test failed at ${op.path}`);
      return;
    default:
      throw new Error(`unsupported patch operation ${JSON.stringify(op.op)}`);
  }
}

/** Applies KubeVirt-style patch strings (each one JSON operation) to a copy of `doc`. */
export function applyPatches<T>(doc: T, patches: string[]): T {
  const out = structuredClone(doc);
  for (const text of patches) apply(out, JSON.parse(text) as PatchOp);
  return out;
}
