#!/usr/bin/env bash
# Runs the live path without a tenant, so that a refactor cannot silently break it:
# cmd/mda-mock stands in for the tenant, with MDA's real limit (30 requests a minute) and
# the stricter of the undocumented behaviours (overlapping ranges refused, an update
# without _id colliding with itself). It plants a leftover range named tfacc-leftover-...
# and one that is not the tests' (keep-me-...), runs `MDA_LIVE=1 make testacc-live` on
# Terraform and on OpenTofu, with one alert the tests may mark read and unread, then
# `make sweep`, and checks through the mock's admin API that the tests left the planted
# ranges alone, that the sweep removed every tfacc- range, and that keep-me- survived.
# Needs only Go and bash (the admin API is spoken through bash's /dev/tcp, not curl).
#
# MDA_MOCK_PORT picks the mock's port (default 18085). About 3½ minutes (114 requests), most of it
# waiting for the request budget; `make testacc-live` prints its share first.
set -euo pipefail
cd "$(dirname "$0")/.."

port=${MDA_MOCK_PORT:-18085}
token=live-against-mock-0123456789abcdef0123456789abcdef0123456789abcdef
work=$(mktemp -d)
mock_pid=
cleanup() {
  if [ -n "$mock_pid" ]; then kill "$mock_pid" 2>/dev/null || true; wait "$mock_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# admin METHOD PATH: the body of the mock's answer to an admin request (HTTP/1.0, so the
# server closes the connection after it). Fails unless the status is 200.
admin() (
  exec 3<>"/dev/tcp/127.0.0.1/$port"
  printf '%s %s HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n' "$1" "$2" >&3
  answer=$(cat <&3)
  case "${answer%%$'\r'*}" in
    "HTTP/1."?" 200"*) printf '%s\n' "${answer#*$'\r\n\r\n'}" ;;
    *) echo "live-against-mock: $1 $2 answered: ${answer%%$'\r'*}" >&2; exit 1 ;;
  esac
)

# range_names: the names of every range the mock holds, one a line.
range_names() { admin GET /_mock/subnets | grep -o '"name": *"[^"]*"' | sed 's/^"name": *"//; s/"$//'; }

# A built binary rather than `go run`, whose child would outlive a kill of its pid.
go build -o "$work/mda-mock" ./cmd/mda-mock
"$work/mda-mock" -listen "127.0.0.1:$port" -token "$token" -rate 30 -window 1m \
  -reject-overlap -require-id-on-update -quiet >"$work/mock.out" 2>&1 &
mock_pid=$!
for _ in $(seq 100); do
  admin GET /_mock/stats >/dev/null 2>&1 && break
  kill -0 "$mock_pid" 2>/dev/null || { cat "$work/mock.out" >&2; exit 1; }
  sleep 0.1
done
admin GET /_mock/stats >/dev/null

admin POST '/_mock/subnets/seed?n=1&prefix=tfacc-leftover-' >/dev/null
admin POST '/_mock/subnets/seed?n=1&prefix=keep-me-' >/dev/null
leftover=$(range_names | grep '^tfacc-leftover-')
keep=$(range_names | grep '^keep-me-')
alerts=$(admin GET /_mock/alerts)
[[ $alerts =~ \"id\":\ *\"([0-9a-f]{24})\" ]] || { echo "live-against-mock: the mock lists no alert" >&2; exit 1; }
alert=${BASH_REMATCH[1]}
echo "==> mock on 127.0.0.1:$port holds $leftover and $keep; the alert tests may change $alert"

export MDA_LIVE=1 MDA_PORTAL_URL="http://127.0.0.1:$port" MDA_API_TOKEN="$token"
export MDA_LIVE_ALERTS=1 MDA_LIVE_ALERT_IDS="$alert"
# One window file for all three runs, as a user's cache directory would hold it: each run
# knows what the one before spent of the minute.
export MDA_LIMITER_STATE_DIR="$work/limiter"
start=$SECONDS
make testacc-live
make testacc-live-tofu

names=$(range_names)
for want in "$leftover" "$keep"; do
  grep -qx "$want" <<<"$names" || { echo "live-against-mock: the live tests removed $want, which is not theirs" >&2; exit 1; }
done
if grep '^tfacc-' <<<"$names" | grep -vx "$leftover"; then
  echo "live-against-mock: the live tests left the ranges above behind" >&2; exit 1
fi

make sweep
names=$(range_names)
if grep '^tfacc-' <<<"$names"; then echo "live-against-mock: make sweep left the ranges above" >&2; exit 1; fi
grep -qx "$keep" <<<"$names" || { echo "live-against-mock: make sweep removed $keep" >&2; exit 1; }
stats=$(admin GET /_mock/stats)
echo "==> live-against-mock passed in $((SECONDS - start)) s; the mock counted: $stats"
