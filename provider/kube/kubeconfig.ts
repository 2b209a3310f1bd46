/**
 * Where the kubeconfig comes from, in order: stack config `pulumi-kubevirt-snapshot:kubeconfig` (contents
 * or a path), `$KUBECONFIG`, `~/.kube/config`, the in-cluster service account. Never client-node's silent
 * `http://localhost:8080` fallback: with nothing found, the error says where it looked. Pure over the
 * injected environment and file checks.
 */
import { ProviderError } from "../core/errors";
import { CONFIG_KUBECONFIG } from "../core/constants";

/** The environment the choice depends on. */
export interface KubeconfigEnvironment {
  configKubeconfig: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  homedir: string;
  exists(path: string): boolean;
}

/** Where to load the kubeconfig from. */
export type KubeconfigSource =
  | { kind: "inline"; text: string; origin: string }
  | { kind: "files"; paths: string[]; origin: string }
  | { kind: "in-cluster"; origin: string };

/** The service-account token path used in-cluster. */
export const IN_CLUSTER_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token";

/** Whether a config value holds kubeconfig contents (YAML or JSON) rather than a path. */
export function looksLikeKubeconfigText(value: string): boolean {
  return value.includes("\n") || /^\s*(\{|apiVersion:|kind:|clusters:)/.test(value);
}

/** Decides the kubeconfig source, or throws an error listing every place it looked. */
export function chooseKubeconfigSource(environment: KubeconfigEnvironment): KubeconfigSource {
  const { configKubeconfig, env, homedir, exists } = environment;
  if (configKubeconfig) {
    if (looksLikeKubeconfigText(configKubeconfig)) {
      return { kind: "inline", text: configKubeconfig, origin: `stack config ${CONFIG_KUBECONFIG}` };
    }
    if (!exists(configKubeconfig)) {
      throw new ProviderError(
        `stack config ${CONFIG_KUBECONFIG} names the file "${configKubeconfig}", which does not exist. Fix: set it ` +
          `to the kubeconfig contents (pulumi config set --secret ${CONFIG_KUBECONFIG} "$(cat ~/.kube/config)") or an existing path.`,
      );
    }
    return { kind: "files", paths: [configKubeconfig], origin: `stack config ${CONFIG_KUBECONFIG}` };
  }
  const looked: string[] = [`stack config ${CONFIG_KUBECONFIG} (not set)`];
  const fromEnv = (env["KUBECONFIG"] ?? "").split(":").filter((p) => p !== "");
  const present = fromEnv.filter(exists);
  if (present.length) return { kind: "files", paths: present, origin: "$KUBECONFIG" };
  looked.push(fromEnv.length ? `$KUBECONFIG (${fromEnv.join(", ")}: no such file)` : "$KUBECONFIG (not set)");
  const home = `${homedir}/.kube/config`;
  if (exists(home)) return { kind: "files", paths: [home], origin: home };
  looked.push(`${home} (no such file)`);
  if (env["KUBERNETES_SERVICE_HOST"] && exists(IN_CLUSTER_TOKEN))
    return { kind: "in-cluster", origin: "in-cluster service account" };
  looked.push(
    `in-cluster service account (${env["KUBERNETES_SERVICE_HOST"] ? `${IN_CLUSTER_TOKEN} missing` : "KUBERNETES_SERVICE_HOST not set"})`,
  );
  throw new ProviderError(
    `no Kubernetes configuration found. Looked at: ${looked.join("; ")}. Fix: pulumi config set --secret ` +
      `${CONFIG_KUBECONFIG} "$(cat path/to/kubeconfig)", or export KUBECONFIG=path/to/kubeconfig.`,
  );
}
