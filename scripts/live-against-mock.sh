#!/usr/bin/env bash
# Runs the live path without a tenant, so that a refactor cannot silently break it:
# cmd/mda-mock stands in for the tenant, with MDA's real limit (30 requests a minute) and
# the stricter of the undocumented behaviours (overlapping ranges refused, an update
# without _id colliding with itself). It plants a leftover range named tfacc-leftover-...
# and one that is not the tests' (keep-me-...), runs `MDA_LIVE=1 make testacc-live` on
# Terraform and on OpenTofu, with one alert the tests may mark read and unread, then
# `make sweep`, and checks through the mock's admin API that the tests left the planted
# ranges alone, that the sweep removed every tfacc- range, and that keep-me- survived.
# Then it runs the built cmd/mda-probe, as a user would, against two more mocks: one with the
# defaults, where the comparison with the probe's in-process mock must find no difference
# (exit 0), and one started with -require-id-on-update, where it must find the update
# without _id, and only it (exit 1). Needs only Go and bash (the admin API is spoken through
# bash's /dev/tcp, not curl).
#
# MDA_MOCK_PORT picks the first mock's port (default 18085; the probe's mocks take the next
# two). About 3¼ minutes (114 requests to the first mock, 19 and 15 to the others), most of
# it waiting for the request budget; `make testacc-live` prints its share first.
set -euo pipefail
cd "$(dirname "$0")/.."

port=${MDA_MOCK_PORT:-18085}
token=live-against-mock-0123456789abcdef0123456789abcdef0123456789abcdef
work=$(mktemp -d)
mock_pids=()
cleanup() {
  for pid in "${mock_pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# admin METHOD PATH [PORT]: the body of the answer of the mock on PORT (default: the first)
# to an admin request (HTTP/1.0, so the server closes the connection after it). Fails unless
# the status is 200.
admin() (
  exec 3<>"/dev/tcp/127.0.0.1/${3:-$port}"
  printf '%s %s HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n' "$1" "$2" >&3
  answer=$(cat <&3)
  case "${answer%%$'\r'*}" in
    "HTTP/1."?" 200"*) printf '%s\n' "${answer#*$'\r\n\r\n'}" ;;
    *) echo "live-against-mock: $1 $2 answered: ${answer%%$'\r'*}" >&2; exit 1 ;;
  esac
)

# range_names: the names of every range the mock holds, one a line.
range_names() { admin GET /_mock/subnets | grep -o '"name": *"[^"]*"' | sed 's/^"name": *"//; s/"$//'; }

# first_alert PORT: the id of the first alert the mock on PORT holds.
first_alert() {
  local alerts
  alerts=$(admin GET /_mock/alerts "$1")
  [[ $alerts =~ \"id\":\ *\"([0-9a-f]{24})\" ]] || { echo "live-against-mock: the mock on $1 lists no alert" >&2; exit 1; }
  echo "${BASH_REMATCH[1]}"
}

# start_mock PORT FLAGS...: a mock at the real limit on PORT, returning once it answers.
start_mock() {
  local p=$1
  shift
  "$work/mda-mock" -listen "127.0.0.1:$p" -token "$token" -rate 30 -window 1m -quiet "$@" >"$work/mock-$p.out" 2>&1 &
  mock_pids+=($!)
  for _ in $(seq 100); do
    admin GET /_mock/stats "$p" >/dev/null 2>&1 && return
    kill -0 "${mock_pids[-1]}" 2>/dev/null || { cat "$work/mock-$p.out" >&2; exit 1; }
    sleep 0.1
  done
  admin GET /_mock/stats "$p" >/dev/null
}

# Built binaries rather than `go run`, whose child would outlive a kill of its pid.
go build -o "$work/mda-mock" ./cmd/mda-mock
go build -o "$work/mda-probe" ./cmd/mda-probe
start_mock "$port" -reject-overlap -require-id-on-update

admin POST '/_mock/subnets/seed?n=1&prefix=tfacc-leftover-' >/dev/null
admin POST '/_mock/subnets/seed?n=1&prefix=keep-me-' >/dev/null
leftover=$(range_names | grep '^tfacc-leftover-')
keep=$(range_names | grep '^keep-me-')
alert=$(first_alert "$port")
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
echo "==> the live tests and the sweep passed in $((SECONDS - start)) s; the mock counted: $stats"

# probe WANT_EXIT NAME PORT PROBE_FLAGS...: runs mda-probe against the mock on PORT and its
# in-process reference; fails unless it exits WANT_EXIT, writes no report, or leaves its
# range behind. Leaves the printed comparison in $work/NAME.out.
probe() {
  local want=$1 name=$2 p=$3 code=0
  shift 3
  MDA_PORTAL_URL="http://127.0.0.1:$p" "$work/mda-probe" -out "$work/$name.json" "$@" >"$work/$name.out" 2>"$work/$name.err" || code=$?
  cat "$work/$name.out"
  if [ "$code" != "$want" ]; then
    cat "$work/$name.err" >&2
    echo "live-against-mock: mda-probe exited $code, want $want" >&2
    exit 1
  fi
  [ -s "$work/$name.json" ] || { echo "live-against-mock: mda-probe wrote no report" >&2; exit 1; }
  if admin GET /_mock/subnets "$p" | grep -q '"name": *"tfacc-probe-'; then
    echo "live-against-mock: mda-probe left its range behind" >&2; exit 1
  fi
}

echo "==> mda-probe against a mock with the defaults, with the alert steps"
start_mock $((port + 1))
probe_alert=$(first_alert $((port + 1)))
probe 0 same $((port + 1)) -alert-id "$probe_alert"
grep -q '^No differences\.$' "$work/same.out" || { echo "live-against-mock: mock against mock should print No differences." >&2; exit 1; }
if grep -E '^same +(fetch|mark) alert' "$work/same.out" | grep -q skipped; then
  echo "live-against-mock: -alert-id should run the alert steps" >&2; exit 1
fi

echo "==> mda-probe against a mock started with -require-id-on-update"
start_mock $((port + 2)) -require-id-on-update
probe 1 require-id $((port + 2))
diffs=$(grep '^DIFF ' "$work/require-id.out" | sed 's/^DIFF  *//; s/  .*//')
if [ "$diffs" != "update range without _id (same name)" ]; then
  echo "live-against-mock: -require-id-on-update should differ only at the update without _id; it differs at:" >&2
  echo "$diffs" >&2
  exit 1
fi
echo "==> live-against-mock passed in $((SECONDS - start)) s"
