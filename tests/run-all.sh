#!/usr/bin/env bash
# Runs every test binary in BUILD/tests (cmocka prints its own summaries)
# and ends with one "N passed, N failed" line over the binaries.
set -uo pipefail
build=${1:-build}
export BENCH_BUILD=$build
passed=0 failed=0 failed_names=()
for t in "$build"/tests/test_*; do
	[[ -x "$t" ]] || continue
	name=$(basename "$t")
	echo "== $name"
	if "$t"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		failed_names+=("$name")
	fi
done
echo
if [[ $failed -gt 0 ]]; then
	echo "failed test programs: ${failed_names[*]}"
fi
echo "programs: $passed passed, $failed failed"
[[ $failed -eq 0 && $passed -gt 0 ]]
