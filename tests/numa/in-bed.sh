#!/bin/bash
# Runs inside the two-node NUMA test bed (scripts/test-numa boots the dom0
# image without Xen under QEMU with two sockets and a RAM backend each, via
# scripts/xen-nested.sh --no-xen --numa 2 --in): bench placing threads and
# pages on each node, results in $XEN_OUT for tests/test_numa_bed.c.
#   topo.json              bench topo --json
#   node1/ node0/          bare, --numa 1 and --numa 0 (CPUs: the node's)
#   remote/                bare, --cpus 0 (node 0) --numa 1: remote placement
#   container/             container (runc, cpuset.mems), --numa 1
#   numastat.txt           the kernel's per-node counters after the runs
#   leftovers.txt          containers and cgroups left after the runs
set -uo pipefail
out=${XEN_OUT:?}
say() { echo "in-bed: $*"; }
common=(--workload mem.stream --reps 2 --max-warmup 1 --size 8M --quiet)

bench topo --json >"$out/topo.json" 2>"$out/topo.txt"
say "topology: $(bench topo 2>&1 | grep -c '^numa') NUMA node(s)"
bench topo 2>&1 | sed 's/^/in-bed: topo: /'

run() { # name, bench run arguments...
	local name=$1
	shift
	bench run "$@" "${common[@]}" --out "$out/$name" >"$out/$name.txt" 2>&1
	echo $? >"$out/$name.rc"
	say "$name: exit $(<"$out/$name.rc"): $*"
	# the objects that prove the placement, one line each, as the run file
	# has them (indented JSON: joined up to the closing brace)
	for key in asked seen mem_node_bytes; do
		awk -v key="\"$key\": {" '
			index($0, key) { on = 1; depth = 0; line = "" }
			on {
				gsub(/^ +/, ""); line = line $0
				depth += gsub(/[{]/, "{") - gsub(/[}]/, "}")
				if (depth <= 0) { print line; on = 0 }
			}' "$out/$name/run.json" 2>/dev/null | sort -u | sed "s/^/in-bed: $name: /"
	done
}
run node1 --env bare --numa 1
run node0 --env bare --numa 0
run remote --env bare --cpus 0 --numa 1
run container --env container --net host --memory 256M --numa 1

cat /sys/devices/system/node/node*/numastat >"$out/numastat.txt" 2>&1
{
	echo "== runc list"
	runc list 2>&1 | awk 'NR > 1'
	echo "== cgroups"
	find /sys/fs/cgroup/cpuset /sys/fs/cgroup/memory -mindepth 1 -type d 2>/dev/null
} >"$out/leftovers.txt"
exit 0
