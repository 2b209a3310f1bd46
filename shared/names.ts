/** Kubernetes name rules (DNS-1123) used to validate inputs before anything reaches the cluster. */

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Maximum length of a DNS-1123 label (namespaces). */
export const DNS1123_LABEL_MAX = 63;
/** Maximum length of a DNS-1123 subdomain (most object names). */
export const DNS1123_SUBDOMAIN_MAX = 253;

/** Whether `value` is a DNS-1123 label: lower-case alphanumerics and '-', alphanumeric at both ends, ≤ 63. */
export function isDns1123Label(value: string): boolean {
  return value.length <= DNS1123_LABEL_MAX && LABEL.test(value);
}

/** Whether `value` is a DNS-1123 subdomain: dot-separated labels, ≤ 253 characters. */
export function isDns1123Subdomain(value: string): boolean {
  return (
    value.length > 0 &&
    value.length <= DNS1123_SUBDOMAIN_MAX &&
    value.split(".").every((part) => LABEL.test(part))
  );
}

const QUALIFIED_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;

/** Whether `key` is a valid label or annotation key: an optional DNS-1123 subdomain prefix and a name ≤ 63. */
export function isQualifiedKey(key: string): boolean {
  const slash = key.lastIndexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && !isDns1123Subdomain(prefix)) return false;
  return name.length > 0 && name.length <= 63 && QUALIFIED_NAME.test(name);
}

/** Whether `value` is a valid label value: empty, or ≤ 63 alphanumerics, '-', '_', '.', alphanumeric at both ends. */
export function isLabelValue(value: string): boolean {
  return value === "" || (value.length <= 63 && QUALIFIED_NAME.test(value));
}
