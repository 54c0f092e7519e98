#!/usr/bin/env bash
# Reads `go test -v` output on stdin, passes it through, and ends with one line
# "<cli>: N passed, N failed, N skipped". It fails when a test failed, when any test was
# skipped (an acceptance run must never skip quietly: a missing CLI would otherwise pass
# as green), or when nothing ran at all.
set -u
cli=${1:-tests}
passed=0 failed=0 skipped=0 broken=0
while IFS= read -r line; do
  printf '%s\n' "$line"
  case "$line" in
    *"--- PASS: "*) passed=$((passed + 1)) ;;
    *"--- FAIL: "*) failed=$((failed + 1)) ;;
    *"--- SKIP: "*) skipped=$((skipped + 1)) ;;
    FAIL*|panic:*) broken=1 ;;
  esac
done
echo "$cli: $passed passed, $failed failed, $skipped skipped"
if [ "$failed" -gt 0 ] || [ "$broken" -ne 0 ]; then exit 1; fi
if [ "$skipped" -gt 0 ]; then echo "$cli: acceptance tests must not be skipped" >&2; exit 1; fi
if [ "$passed" -eq 0 ]; then echo "$cli: no test ran" >&2; exit 1; fi
