#!/bin/bash
# Runs inside the nested Xen dom0 (scripts/test-xen passes it in with
# scripts/xen-nested.sh --in): bench against real domUs, results in
# $XEN_OUT for tests/test_xen.c to check on the host.
#   list.txt        bench list
#   run/            PVH: cpu.int, mem.stream, net.tcp_rr, disk.rand_read
#   run-pv/         PV: os.syscall
#   run-bad/        a domain that cannot boot (an initramfs that is not one)
#   interrupt.rc    exit status of a bench run sent SIGINT mid-way
#   leftovers.txt   domains, vifs, state directories after all that
set -uo pipefail
out=${XEN_OUT:?}
say() { echo "in-dom0: $*"; }

bench list >"$out/list.txt" 2>&1

say "PVH domain: cpu.int, mem.stream, net.tcp_rr, disk.rand_read"
bench run --env xen --workload cpu.int,mem.stream,net.tcp_rr,disk.rand_read \
	--reps 2 --max-warmup 1 --size 8M --duration 0.1 --cpus 0 --memory 256M \
	--disk-size 64M --out "$out/run" --quiet >"$out/run.txt" 2>&1
echo $? >"$out/run.rc"

say "PV domain: os.syscall"
bench run --env xen --xen-mode pv --workload os.syscall --reps 2 --max-warmup 1 \
	--duration 0.1 --cpus 1 --memory 256M --out "$out/run-pv" --quiet >"$out/run-pv.txt" 2>&1
echo $? >"$out/run-pv.rc"

say "a domain that cannot boot"
bench run --env xen --workload os.syscall --reps 1 --initrd /opt/bench/wl --memory 256M \
	--out "$out/run-bad" --quiet >"$out/run-bad.txt" 2>&1
echo $? >"$out/run-bad.rc"

say "SIGINT while a domain runs"
mkdir -p /tmp/int-scratch
bench run --env xen --workload disk.rand_read --reps 500 --duration 0.2 --size 8M \
	--disk-size 32M --disk-dir /tmp/int-scratch --memory 256M \
	--out "$out/run-int" --quiet >"$out/interrupt.txt" 2>&1 &
pid=$!
up=0
for _ in $(seq 1 600); do # at most 60 s for the domain to show up
	if xl list 2>/dev/null | grep -q '^bench-'; then
		up=1
		break
	fi
	sleep 0.1
done
sleep 2
kill -INT "$pid"
wait "$pid"
echo $? >"$out/interrupt.rc"
echo "$up" >"$out/interrupt.up"

{
	echo "== xl list"
	xl list | awk 'NR > 1 && $1 != "Domain-0"'
	echo "== vifs"
	ls /sys/class/net | grep '^vif' || true
	echo "== bridge"
	ls /sys/class/net | grep '^benchbr0' || true
	echo "== state"
	ls /run/bench/xen 2>/dev/null | grep '^bench-' || true
	echo "== scratch"
	ls /tmp/int-scratch
} >"$out/leftovers.txt" 2>&1
say "done"
