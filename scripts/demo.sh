#!/usr/bin/env bash
# make demo: the provider against the bundled mock tenant, end to end, with no MDA tenant.
# Each step prints one line; the script stops with a non-zero status as soon as a step
# does not behave as described. The mock keeps MDA's real limit of 30 requests a minute.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/bin"
tf="${TERRAFORM:-$bin/terraform}"
work=$(mktemp -d "${TMPDIR:-/tmp}/mda-demo.XXXXXX")
token="demo-token-0123456789abcdef0123456789abcdef0123456789abcdef0123"
mock_pid=""

cleanup() {
  if [ -n "$mock_pid" ]; then kill "$mock_pid" 2>/dev/null || true; wait "$mock_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

step() { printf '==> %s\n' "$*"; }
fail() { printf 'FAILED: %s\n' "$*" >&2; printf '(terraform output is in %s)\n' "$work/log" >&2; trap - EXIT; exit 1; }

step "building the provider and the mock into bin/"
(cd "$root" && go build -o "$bin/terraform-provider-mda" . && go build -o "$bin/mda-mock" ./cmd/mda-mock)

step "starting the mock MDA tenant on a free loopback port (30 requests per minute, like MDA)"
"$bin/mda-mock" -listen 127.0.0.1:0 -token "$token" >"$work/mock.log" 2>&1 &
mock_pid=$!
portal=""
for _ in $(seq 1 100); do
  portal=$(sed -n 's/^.*MDA_PORTAL_URL=\([^ ]*\).*$/\1/p' "$work/mock.log" | head -n 1)
  [ -n "$portal" ] && break
  kill -0 "$mock_pid" 2>/dev/null || fail "the mock exited: $(cat "$work/mock.log")"
  sleep 0.1
done
[ -n "$portal" ] || fail "the mock did not print its URL: $(cat "$work/mock.log")"
step "mock listening at $portal"

# dev_overrides points Terraform at the build in bin/, so no registry and no init are needed.
cat >"$work/terraformrc" <<EOF
provider_installation {
  dev_overrides {
    "mda-terraform/mda" = "$bin"
  }
  direct {}
}
EOF
export TF_CLI_CONFIG_FILE="$work/terraformrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
export MDA_PORTAL_URL="$portal" MDA_API_TOKEN="$token" MDA_LIMITER_STATE_DIR="$work/limiter"
cp "$root/examples/quickstart/main.tf" "$work/"
cd "$work"

tfrun() { "$tf" "$@" -no-color >>"$work/log" 2>&1; }

step "terraform apply: creating three IP ranges from examples/quickstart"
tfrun apply -auto-approve -input=false || fail "apply failed"
count=$(curl -sf -H "Authorization: Token $token" -H 'Content-Type: application/json' \
  -d '{"filters":{"builtIn":{"eq":false}}}' "$portal/api/v1/subnet/" | sed -n 's/.*"total": *\([0-9]*\).*/\1/p')
[ "$count" = "3" ] || fail "the mock holds $count custom ranges, want 3"
step "the tenant now holds 3 custom ranges"

step "terraform plan: nothing changed, so the plan must be empty"
set +e; tfrun plan -detailed-exitcode -input=false; rc=$?; set -e
[ "$rc" -eq 0 ] || fail "plan after apply was not empty (exit $rc)"

id=$("$tf" output -no-color -json ip_range_ids | sed -n 's/.*"vpn": *"\([0-9a-f]*\)".*/\1/p')
[ -n "$id" ] || fail "no id for the VPN range in the outputs"
step "someone recategorises 'VPN egress' ($id) as risky in the portal (an API call behind Terraform's back)"
curl -sf -o /dev/null -H "Authorization: Token $token" -H 'Content-Type: application/json' \
  -d "{\"_id\":\"$id\",\"name\":\"VPN egress\",\"category\":3,\"subnets\":[\"198.51.100.10\",\"198.51.100.11\"],\"organization\":\"Contoso Networks\"}" \
  "$portal/api/v1/subnet/$id/update_rule/" || fail "the out-of-band update was refused"

step "terraform plan: the drift must show as an in-place update"
set +e; "$tf" plan -detailed-exitcode -input=false -no-color >"$work/drift.txt" 2>&1; rc=$?; set -e
cat "$work/drift.txt" >>"$work/log"
[ "$rc" -eq 2 ] || fail "plan did not detect the drift (exit $rc)"
grep -q 'mda_ip_range.vpn will be updated in-place' "$work/drift.txt" || fail "the plan does not update mda_ip_range.vpn in place"
grep -E '~ category += "risky" -> "vpn"' "$work/drift.txt" | sed 's/^ */    /'

step "terraform apply: putting the range back as the configuration says"
tfrun apply -auto-approve -input=false || fail "apply of the drift failed"
set +e; tfrun plan -detailed-exitcode -input=false; rc=$?; set -e
[ "$rc" -eq 0 ] || fail "plan after the repair was not empty (exit $rc)"
step "the plan is empty again"

step "terraform destroy: removing the three ranges"
tfrun destroy -auto-approve -input=false || fail "destroy failed"
count=$(curl -sf -H "Authorization: Token $token" -H 'Content-Type: application/json' \
  -d '{"filters":{"builtIn":{"eq":false}}}' "$portal/api/v1/subnet/" | sed -n 's/.*"total": *\([0-9]*\).*/\1/p')
[ "$count" = "0" ] || fail "the mock still holds $count custom ranges"

stats=$(curl -sf "$portal/_mock/stats")
step "done: the mock served $(printf '%s' "$stats" | sed -n 's/.*"total": *\([0-9]*\).*/\1/p') API requests, $(printf '%s' "$stats" | sed -n 's/.*"throttled": *\([0-9]*\).*/\1/p') of them throttled; stopping the mock"
