#!/usr/bin/env bash
# Smoke test + measurements for kvsnap-cluster, using curl only.
#   tests/cluster/smoke.sh [path-to-kvsnap-cluster]   (default: the output of build.sh)
# Checks: READY line, admin 200 / plain user 403 on listing namespaces, a CRD
# becomes Established, a ValidatingAdmissionPolicy denies, objects survive a
# restart with the same --data-dir and --port, SIGTERM exits 0.
# Prints the figures (start-up time, peak RSS, shutdown time) to stdout.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bin=${1:-$("$here/build.sh" | tail -n1)}
work=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$work/log" ] && tail -n 30 "$work/log" >&2; exit 1; }

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 0)
[ "$port" = 0 ] && port=$(( 20000 + RANDOM % 20000 ))

start_server() {
  : >"$work/out"
  local t0 t1
  t0=$(date +%s.%N)
  "$bin" --data-dir "$work/data" --port "$port" >"$work/out" 2>>"$work/log" &
  pid=$!
  for _ in $(seq 1 1200); do
    if grep -q '^READY ' "$work/out"; then break; fi
    kill -0 "$pid" 2>/dev/null || fail "server exited before READY"
    sleep 0.1
  done
  grep -q '^READY ' "$work/out" || fail "no READY line within 120s"
  t1=$(date +%s.%N)
  read -r _ admin_kc user_kc url <"$work/out"
  [ "$(wc -l <"$work/out")" = 1 ] || fail "stdout has more than the READY line: $(cat "$work/out")"
  echo "start-to-READY: $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')s"
}

stop_server() {
  local t0 t1 rc=0
  t0=$(date +%s.%N)
  kill -TERM "$pid"
  wait "$pid" || rc=$?
  t1=$(date +%s.%N)
  pid=
  echo "SIGTERM -> exit $rc after $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')s"
  [ "$rc" = 0 ] || fail "exit status $rc after SIGTERM"
}

tok() { sed -n 's/^ *token: *//p' "$1"; }
# api <kubeconfig> <method> <path> [json-body] -> prints HTTP status, body in $work/body
api() {
  local args=(-sS --cacert "$work/data/pki/ca.crt" -H "Authorization: Bearer $(tok "$1")" -X "$2"
    -o "$work/body" -w '%{http_code}')
  [ $# -ge 4 ] && args+=(-H 'Content-Type: application/json' --data "$4")
  curl "${args[@]}" "$url$3"
}
# eventually <status> <kubeconfig> <method> <path>: retries for up to 10s
# (RBAC changes reach the authorizer through an informer, not instantly)
eventually() {
  local want=$1; shift
  for _ in $(seq 1 50); do
    [ "$(api "$@")" = "$want" ] && { echo "ok: $2 $3 as $(basename "$1" .kubeconfig) -> $want (eventually)"; return; }
    sleep 0.2
  done
  fail "$2 $3 as $(basename "$1"): never got $want: $(head -c 400 "$work/body")"
}
expect() { # expect <status> <kubeconfig> <method> <path> [body]
  local want=$1; shift
  local got; got=$(api "$@")
  [ "$got" = "$want" ] || fail "$2 $3 as $(basename "$1"): want $want, got $got: $(head -c 400 "$work/body")"
  echo "ok: $2 $3 as $(basename "$1" .kubeconfig) -> $got"
}

start_server
echo "READY line: $(cat "$work/out")"
expect 200 "$admin_kc" GET /api/v1/namespaces
expect 403 "$user_kc" GET /api/v1/namespaces
expect 201 "$admin_kc" POST /api/v1/namespaces '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"kvsnap-smoke"}}'

# CRD, established by the in-process apiextensions controllers
expect 201 "$admin_kc" POST /apis/apiextensions.k8s.io/v1/customresourcedefinitions '{
 "apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
 "metadata":{"name":"widgets.smoke.example.com"},
 "spec":{"group":"smoke.example.com","scope":"Namespaced",
  "names":{"plural":"widgets","singular":"widget","kind":"Widget"},
  "versions":[{"name":"v1","served":true,"storage":true,
   "schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}}'
for _ in $(seq 1 100); do
  api "$admin_kc" GET /apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.smoke.example.com >/dev/null
  tr -d ' \n' <"$work/body" | grep -q '"type":"Established","status":"True"' && break
  sleep 0.1
done
tr -d ' \n' <"$work/body" | grep -q '"type":"Established","status":"True"' || fail "CRD not Established"
expect 201 "$admin_kc" POST /apis/smoke.example.com/v1/namespaces/kvsnap-smoke/widgets \
  '{"apiVersion":"smoke.example.com/v1","kind":"Widget","metadata":{"name":"w1"},"spec":{"size":1}}'

# ValidatingAdmissionPolicy: deny ConfigMaps labelled deny=yes in kvsnap-smoke
expect 201 "$admin_kc" POST /apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies '{
 "apiVersion":"admissionregistration.k8s.io/v1","kind":"ValidatingAdmissionPolicy",
 "metadata":{"name":"smoke-deny"},
 "spec":{"failurePolicy":"Fail",
  "matchConstraints":{"resourceRules":[{"apiGroups":[""],"apiVersions":["v1"],"operations":["CREATE"],"resources":["configmaps"]}]},
  "validations":[{"expression":"!has(object.metadata.labels) || !(\"deny\" in object.metadata.labels)","message":"denied by smoke-deny"}]}}'
expect 201 "$admin_kc" POST /apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings '{
 "apiVersion":"admissionregistration.k8s.io/v1","kind":"ValidatingAdmissionPolicyBinding",
 "metadata":{"name":"smoke-deny"},
 "spec":{"policyName":"smoke-deny","validationActions":["Deny"],
  "matchResources":{"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"kvsnap-smoke"}}}}}'
vap=
for i in $(seq 1 100); do
  code=$(api "$admin_kc" POST /api/v1/namespaces/kvsnap-smoke/configmaps \
    "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"probe-$i\",\"labels\":{\"deny\":\"yes\"}}}")
  if [ "$code" = 422 ] && grep -q 'denied by smoke-deny' "$work/body"; then vap=yes; break; fi
  sleep 0.2
done
[ "$vap" = yes ] || fail "ValidatingAdmissionPolicy never denied"
echo "ok: ValidatingAdmissionPolicy denies (422) after ${i} attempt(s)"

# RBAC: a Role bound to the plain user lets it list configmaps in kvsnap-smoke.
# (Not the built-in view/edit/admin ClusterRoles: they are aggregated, and
# without kube-controller-manager their rules stay empty.)
expect 201 "$admin_kc" POST /apis/rbac.authorization.k8s.io/v1/namespaces/kvsnap-smoke/roles '{
 "apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"cm-read"},
 "rules":[{"apiGroups":[""],"resources":["configmaps"],"verbs":["get","list","watch"]}]}'
expect 201 "$admin_kc" POST /apis/rbac.authorization.k8s.io/v1/namespaces/kvsnap-smoke/rolebindings '{
 "apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"user-cm-read"},
 "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"cm-read"},
 "subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":"User","name":"kvsnap-user"}]}'
eventually 200 "$user_kc" GET /api/v1/namespaces/kvsnap-smoke/configmaps
expect 403 "$user_kc" GET /api/v1/namespaces/default/configmaps

echo "peak RSS (VmHWM): $(awk '/VmHWM/{print $2, $3}' /proc/"$pid"/status)"
stop_server

start_server
expect 200 "$admin_kc" GET /api/v1/namespaces/kvsnap-smoke
expect 200 "$admin_kc" GET /apis/smoke.example.com/v1/namespaces/kvsnap-smoke/widgets/w1
expect 200 "$user_kc" GET /api/v1/namespaces/kvsnap-smoke/configmaps
echo "peak RSS after restart (VmHWM): $(awk '/VmHWM/{print $2, $3}' /proc/"$pid"/status)"
stop_server
echo "smoke: all checks passed"
