/**
 * Generators shared by the property tests of this directory (fast-check), and how they are run.
 *
 * Generated: the inputs a program (or a hand-edited stack) can hand the providers, field by field: values
 * that are valid, values that are certainly invalid (wrong type, out of range, durations such as "5x",
 * "-1m", "" or past Go's limit, names with upper case, '_' or unicode, reserved label prefixes), arbitrary
 * JSON junk whose validity is not known, Pulumi's unknown-value sentinel (alone or nested), absent fields,
 * and unknown keys (including "__proto__" and "constructor"). Every value carries a verdict, so a property
 * can tell what `check` must report; stored-state generators build outputs as this build writes them, as
 * earlier builds wrote them, cut short, and with wrong types and `null`s.
 *
 * Asserted here: nothing; the properties live in the `*.property.test.ts` files.
 *
 * Runs are deterministic: every `fc.assert` takes {@link params}, whose seed is fixed unless
 * `KVSNAP_FC_SEED` sets another (fast-check prints the seed and path of a failing run to replay it).
 */
import fc from "fast-check";
import { UNKNOWN_VALUE } from "../../../provider/core/constants";

/** The seed of every property run (`KVSNAP_FC_SEED=<n>` explores another one). */
export const SEED = Number(process.env["KVSNAP_FC_SEED"] ?? 1_020_010);

/** Parameters of one `fc.assert`: the fixed seed and `numRuns` runs. */
export function params<T>(numRuns: number): fc.Parameters<T> {
  return { seed: SEED, numRuns };
}

/** What a generated input value is to `check`. */
export type Verdict = "valid" | "invalid" | "any" | "unknown";

/** A generated field value and what `check` must make of it (`absent`: the key is not set at all). */
export interface Tagged {
  value: unknown;
  verdict: Verdict;
  absent?: true;
}

const tagged =
  (verdict: Verdict) =>
  (arb: fc.Arbitrary<unknown>): fc.Arbitrary<Tagged> =>
    arb.map((value) => ({ value, verdict }));

/** Pulumi's unknown-value sentinel, as preview passes it. */
export const UNKNOWN = UNKNOWN_VALUE;

/** Strings of any kind: ASCII, full unicode, and a few awkward ones. */
export const anyString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: "grapheme", maxLength: 12 }),
  fc.constantFrom("", " ", "\u0000", "\n", "ß", "İ", "K", "é", "😀", "a".repeat(300)),
);

/** Arbitrary JSON junk (nested), plus numbers JSON cannot carry but a buggy caller could. */
export const junk: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, 0, -0, 1, -1, 1e308, -1e308, 2 ** 53 + 2) },
  { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Infinity, -Infinity, 0.5) },
  { weight: 1, arbitrary: fc.constantFrom({}, [], [[]], { a: { b: { c: [] } } }, [null], "null") },
);

/** Wrong types for a string field (never a string). */
const notString: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, 5, -1, 1.5, 1e308, [], {}, ["a"], { a: "b" }),
  fc.integer(),
  fc.array(fc.string(), { maxLength: 3 }),
);

/** Pulumi's unknown sentinel, alone or inside an array or object (all "unknown" to `check`). */
const unknownish: fc.Arbitrary<unknown> = fc.constantFrom(UNKNOWN, [UNKNOWN], ["a", UNKNOWN], { k: UNKNOWN });

const LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A DNS-1123 label (`namespace`). */
export const dnsLabel: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,14}[a-z0-9])?$/) },
  { weight: 1, arbitrary: fc.constantFrom("a".repeat(63), "0", "9-9", "prod") },
);

/** A DNS-1123 subdomain (object names). */
export const dnsSubdomain: fc.Arbitrary<string> = fc
  .oneof(
    { weight: 6, arbitrary: dnsLabel },
    {
      weight: 2,
      arbitrary: fc
        .array(dnsLabel, { minLength: 2, maxLength: 4 })
        .map((parts) => parts.join(".").slice(0, 253)),
    },
    { weight: 1, arbitrary: fc.constantFrom("a.b", `${"a".repeat(63)}.${"b".repeat(63)}`, "x".repeat(253)) },
  )
  .filter((s) => s.split(".").every((p) => LABEL_RE.test(p)));

/** Strings that are not DNS-1123 labels. */
const notDnsLabel: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "",
    "Prod",
    "db_1",
    "-db",
    "db-",
    "a".repeat(64),
    "ünicode",
    "db 1",
    "db.1",
    "/",
    "a/b",
    `${UNKNOWN}_x`,
  ),
  anyString.filter((s) => !(s.length <= 63 && LABEL_RE.test(s))),
);

/** Strings that are not DNS-1123 subdomains. */
const notDnsSubdomain: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("", "DB", "db_1", ".db", "db.", "a..b", "x".repeat(254), "-a", "ж", "a/b", " db"),
  anyString.filter((s) => !(s.length > 0 && s.length <= 253 && s.split(".").every((p) => LABEL_RE.test(p)))),
);

/** A required Kubernetes name field of `kind`. */
export function nameField(kind: "label" | "subdomain", required: boolean): fc.Arbitrary<Tagged> {
  const valid = kind === "label" ? dnsLabel : dnsSubdomain;
  const invalid = kind === "label" ? notDnsLabel : notDnsSubdomain;
  return field({ valid, invalid: fc.oneof(invalid, notString), required });
}

/** Valid non-zero Go duration strings ("5m", "1h30m", "1.5h", ".5s", "+90s", "250ms", "3µs"). */
export const positiveDuration: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .array(
        fc.tuple(fc.integer({ min: 0, max: 999 }), fc.constantFrom("h", "m", "s", "ms", "us", "µs", "ns")),
        {
          minLength: 1,
          maxLength: 3,
        },
      )
      .filter((parts) => parts.some(([n]) => n > 0))
      .map((parts) => parts.map(([n, unit]) => `${n}${unit}`).join("")),
  },
  { weight: 1, arbitrary: fc.constantFrom("1.5h", ".5s", "5.m", "+90s", "1h0m0s", "2562047h") },
);

/** Zero written in Go's ways (what `failureDeadline` accepts as "no deadline"). */
export const ZERO_DURATIONS: readonly string[] = ["0", "0s", "0h0m", "+0", "-0", "0.0s"];
const zeroDuration = fc.constantFrom(...ZERO_DURATIONS);

/** Strings that are certainly not Go durations, or out of Go's range. */
const notDuration: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "5x",
    "-1m",
    "",
    "5",
    "1d",
    "m",
    " 5m",
    "5m ",
    "5M",
    "1e3s",
    "Infinity",
    "NaN",
    "5 m",
    "1h-30m",
    "٣m",
    "--5m",
    "+-5m",
    ".s",
    "1..5s",
    `${"9".repeat(400)}h`,
    "3000000h",
    "2562048h",
  ),
  positiveDuration.map((d) => `-${d.replace(/^\+/, "")}`),
  anyString.filter((s) => !/^[-+]?(\d|\.\d)/.test(s)),
);

/** A duration field; `zero`: whether "0" is allowed (failureDeadline). */
export function durationField(zero: boolean, required = false): fc.Arbitrary<Tagged> {
  return fc.oneof(
    {
      weight: 8,
      arbitrary: field({ valid: positiveDuration, invalid: fc.oneof(notDuration, notString), required }),
    },
    { weight: 1, arbitrary: tagged(zero ? "valid" : "invalid")(zeroDuration) },
  );
}

/** An enum field. */
export function enumField(values: readonly string[]): fc.Arbitrary<Tagged> {
  const invalid = fc.oneof(
    fc.constantFrom(...values.flatMap((v) => [v.toLowerCase(), v.toUpperCase(), ` ${v}`, `${v}s`]), ""),
    anyString,
  );
  return field({
    valid: fc.constantFrom(...values),
    invalid: fc.oneof(
      invalid.filter((v) => !values.includes(v)),
      notString,
    ),
  });
}

/** A boolean field. */
export const booleanField: fc.Arbitrary<Tagged> = field({
  valid: fc.boolean(),
  invalid: fc.constantFrom("true", "false", "yes", 0, 1, null, [], {}, "", [true]),
});

/** `history`: a whole number from 0 to 100. */
export const historyField: fc.Arbitrary<Tagged> = field({
  valid: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.constantFrom(-0, 100)),
  invalid: fc.oneof(
    fc.constantFrom(-1, 101, 1.5, Number.NaN, Infinity, -Infinity, 1e308, 2 ** 53, "3", null, true, [3], {}),
    fc.integer({ min: 101 }),
    fc.integer({ max: -1 }),
  ),
});

/** `triggers`: a list of strings. */
export const triggersField: fc.Arbitrary<Tagged> = field({
  valid: fc.array(anyString, { maxLength: 4 }),
  invalid: fc.oneof(
    fc.constantFrom("x", [1], [null], {}, null, [["a"]], 5, true, ["a", 2], [{}]),
    fc.array(fc.oneof(fc.integer(), fc.boolean()), { minLength: 1, maxLength: 3 }),
  ),
});

const QUALIFIED_NAME = fc.stringMatching(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,10}[A-Za-z0-9])?$/);
/** Valid label/annotation keys (optional DNS prefix), never the reserved prefix. */
const goodKey = fc
  .tuple(fc.option(dnsSubdomain.filter((s) => s.length < 60)), QUALIFIED_NAME)
  .map(([prefix, name]) => (prefix === null ? name : `${prefix}/${name}`))
  .filter((k) => !k.startsWith("pulumi-kubevirt-snapshot.io/"));
const badKey = fc.constantFrom(
  "bad key",
  "",
  "a/",
  "/a",
  "a/b/c",
  "a".repeat(64),
  "Ex.com/x",
  "-a",
  "ä",
  "pulumi-kubevirt-snapshot.io/owner",
  "pulumi-kubevirt-snapshot.io/x",
);
const goodLabelValue = fc.oneof(fc.constant(""), QUALIFIED_NAME);
const badLabelValue = fc.constantFrom("not ok!", "a".repeat(64), "-a", "a-", "ü", " ");

/** `labels` (`checkValues`) or `annotations`: a map of valid keys to strings. */
export function mapField(checkValues: boolean): fc.Arbitrary<Tagged> {
  const value = checkValues ? goodLabelValue : anyString;
  const valid = fc.dictionary(goodKey, value, { maxKeys: 3, noNullPrototype: true });
  const badEntry = fc.oneof(
    fc.tuple(badKey, value),
    fc.tuple(goodKey, fc.oneof(...(checkValues ? [badLabelValue] : []), notString)),
  );
  const invalid = fc.oneof(
    fc.tuple(valid, badEntry).map(([map, [k, v]]) => Object.fromEntries([...Object.entries(map), [k, v]])),
    fc.constantFrom("a=b", [], ["a"], null, 5, true),
  );
  return field({ valid, invalid });
}

/** A non-empty string field that is not checked further (`context`, `resourceName`, `owner`). */
export function textField(required: boolean): fc.Arbitrary<Tagged> {
  return field({
    valid: anyString.filter((s) => s.length > 0),
    invalid: fc.oneof(fc.constant(""), notString),
    required,
  });
}

/**
 * One field: valid most of the time, else certainly invalid, arbitrary junk, Pulumi's unknown sentinel, or
 * absent (invalid when `required`).
 */
export function field(spec: {
  valid: fc.Arbitrary<unknown>;
  invalid: fc.Arbitrary<unknown>;
  required?: boolean;
}): fc.Arbitrary<Tagged> {
  const absent: Tagged = { value: undefined, verdict: spec.required ? "invalid" : "valid", absent: true };
  return fc.oneof(
    { weight: 10, arbitrary: tagged("valid")(spec.valid) },
    { weight: 4, arbitrary: tagged("invalid")(spec.invalid) },
    { weight: 1, arbitrary: tagged("any")(junk) },
    { weight: 1, arbitrary: tagged("unknown")(unknownish) },
    { weight: 2, arbitrary: fc.constant(absent) },
  );
}

/** Keys no resource accepts: misspellings, prototype names, unicode, dotted. */
export function unknownKeys(known: readonly string[]): fc.Arbitrary<string[]> {
  const key = fc
    .oneof(
      fc.constantFrom(
        "__proto__",
        "constructor",
        "toString",
        "vmname",
        "Namespace",
        "deadline ",
        "a.b",
        "ключ",
        "",
      ),
      fc.string({ minLength: 1, maxLength: 8 }),
    )
    .filter((k) => !known.includes(k) && k !== "__provider");
  return fc.uniqueArray(key, { maxLength: 2 });
}

/** A generated program input: the raw props `check` gets, and each field's verdict. */
export interface GeneratedInputs {
  news: Record<string, unknown>;
  fields: Record<string, Tagged>;
  extra: string[];
}

/** Props from generated fields and unknown keys (built with `Object.fromEntries`: "__proto__" stays an own key). */
function assemble(fields: Record<string, Tagged>, extra: string[], extraValue: unknown): GeneratedInputs {
  const entries: [string, unknown][] = Object.entries(fields)
    .filter(([, t]) => t.absent !== true)
    .map(([k, t]) => [k, t.value]);
  for (const k of extra) entries.push([k, extraValue]);
  entries.push(["__provider", "exports.handler = () => ({});"]);
  return { news: Object.fromEntries(entries), fields, extra };
}

/** The model with every field restricted to `keep` verdicts. */
function restricted(
  model: Record<string, fc.Arbitrary<Tagged>>,
  keep: (t: Tagged) => boolean,
): Record<string, fc.Arbitrary<Tagged>> {
  return Object.fromEntries(Object.entries(model).map(([k, arb]) => [k, arb.filter(keep)]));
}

/**
 * Programs from a field model: near-valid ones (every field valid but one or two, which are invalid, junk,
 * unknown or absent), well-formed ones, and ones where every field is drawn independently (many problems
 * at once); sometimes with unknown keys holding junk.
 */
export function inputsFrom(
  model: Record<string, fc.Arbitrary<Tagged>>,
  extraKeys: fc.Arbitrary<string[]>,
): fc.Arbitrary<GeneratedInputs> {
  const valid = restricted(model, (t) => t.verdict === "valid");
  const other = restricted(model, (t) => t.verdict !== "valid");
  const keys = Object.keys(model);
  const nearValid = fc
    .tuple(fc.record(valid, { noNullPrototype: true }), fc.subarray(keys, { minLength: 1, maxLength: 2 }))
    .chain(([fields, changed]) =>
      fc.tuple(...changed.map((k) => other[k] ?? fc.constant(fields[k] as Tagged))).map((values) => ({
        ...fields,
        ...Object.fromEntries(changed.map((k, n) => [k, values[n] as Tagged])),
      })),
    );
  return fc
    .tuple(
      fc.oneof(
        { weight: 4, arbitrary: nearValid },
        { weight: 1, arbitrary: fc.record(valid, { noNullPrototype: true }) },
        { weight: 2, arbitrary: fc.record(model, { noNullPrototype: true }) },
      ),
      fc.oneof({ weight: 6, arbitrary: fc.constant<string[]>([]) }, extraKeys),
      junk,
    )
    .map(([fields, extra, extraValue]) => assemble(fields, extra, extraValue));
}

/** Well-formed programs: every field valid, no unknown keys. */
export function validOnly(model: Record<string, fc.Arbitrary<Tagged>>): fc.Arbitrary<GeneratedInputs> {
  return fc
    .record(
      restricted(model, (t) => t.verdict === "valid"),
      { noNullPrototype: true },
    )
    .map((fields) => assemble(fields, [], undefined));
}

/** A value as `show()` in shared/fields.ts prints it (strings quoted, the rest as JSON). */
export function shown(value: unknown): string | undefined {
  return typeof value === "string" ? `"${value}"` : JSON.stringify(value);
}

/** The value at a failure's property path ("labels.a.b" may be key "a.b" of labels). */
export function valueAt(news: Record<string, unknown>, property: string): { found: boolean; value: unknown } {
  const [top = "", ...rest] = property.split(".");
  if (!(top in news)) return { found: false, value: undefined };
  const value = news[top];
  if (rest.length === 0) return { found: true, value };
  const restKey = rest.join(".");
  if (value !== null && typeof value === "object" && restKey in value) {
    return { found: true, value: (value as Record<string, unknown>)[restKey] };
  }
  return { found: false, value: undefined };
}

// ---- stored state ----

/** A stored field value as a hand edit or an older build may leave it: wrong types, `null`, truncated. */
export const storedJunk: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, "", 0, 5, -1, true, false, [], {}, "yes", "3", "5x", "-1m", "0", UNKNOWN),
  junk,
);

/** How stored state departs from what this build writes: cut short, some keys given junk, some `null`. */
export interface StoredMutation {
  /** The keys kept (`undefined`: all). */
  keep: string[] | undefined;
  /** Keys set to junk (may be keys the state did not have). */
  changed: Record<string, unknown>;
  /** Keys set to `null`. */
  nulled: string[];
}

/** Mutations of state with these `keys` (plus `deadline` and an extra key). */
export function storedMutation(keys: readonly string[]): fc.Arbitrary<StoredMutation> {
  return fc.record({
    keep: fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, fc.subarray([...keys])),
    changed: fc.dictionary(fc.constantFrom(...keys, "deadline", "extra"), storedJunk, {
      maxKeys: 3,
      noNullPrototype: true,
    }),
    nulled: fc.subarray([...keys], { maxLength: 2 }),
  });
}

/** `base` (valid outputs) with a {@link StoredMutation} applied. */
export function mutated(base: Record<string, unknown>, m: StoredMutation): Record<string, unknown> {
  const kept = m.keep ?? Object.keys(base);
  const out: Record<string, unknown> = Object.fromEntries(
    kept.filter((k) => k in base).map((k) => [k, base[k]]),
  );
  for (const [k, v] of Object.entries(m.changed)) out[k] = v;
  for (const k of m.nulled) out[k] = null;
  return out;
}

/**
 * The olds `check` may get with `news`: none, the earlier checked inputs of the same resource (its name kept
 * or, in state edited by hand, garbage), or junk over `keys`.
 */
export function checkOlds(
  news: Record<string, unknown>,
  keys: readonly string[],
): fc.Arbitrary<Record<string, unknown> | undefined> {
  return fc.oneof(
    fc.constant(undefined),
    fc.record({
      name: fc.oneof(fc.constant("old-name-abc1234"), anyString, storedJunk),
      resourceName: fc.constant(news["resourceName"]),
      autoNamed: fc.oneof(fc.constant(true), storedJunk),
    }),
    fc.dictionary(fc.constantFrom(...keys, "autoNamed"), storedJunk, { maxKeys: 4, noNullPrototype: true }),
  );
}

/** A stored `deleteTimeout`: usable, or what a hand edit or an older build may leave (negative, zero, junk). */
export const storedDeleteTimeout: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom("5m", "30s", "-1m", "0", "-0", "5x", "", "3000000h", "1d"),
  storedJunk,
);

/** Resource ids: the resource's own, those of other objects of the ground, other well-formed ones, and garbage. */
export function idArb(own: string, others: readonly string[] = []): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 5, arbitrary: fc.constant(own) },
    { weight: 2, arbitrary: others.length ? fc.constantFrom(...others) : fc.constant(own) },
    { weight: 1, arbitrary: fc.tuple(dnsLabel, dnsSubdomain).map(([ns, n]) => `${ns}/${n}`) },
    {
      weight: 3,
      arbitrary: fc.oneof(
        fc.constantFrom(
          "",
          "/",
          "a/b/c",
          "/x",
          "prod/",
          "prod",
          `${own}/x`,
          "Prod/x",
          "prod/X",
          "prod/ü",
          " prod/x",
        ),
        anyString,
      ),
    },
  );
}

/** Whether a value is plain JSON without `undefined`, NaN or functions (what Pulumi's protobuf Struct takes). */
export function plainJson(value: unknown): boolean {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(plainJson);
  if (typeof value === "object") return Object.values(value).every(plainJson);
  return false;
}
