#!/usr/bin/env bash
# Runs one command inside a real Xen dom0, nested: QEMU (TCG, -cpu qemu64,+svm)
# boots Debian's Xen 4.17 with BUILD_DIR/xen/vmlinuz as PV dom0 and
# BUILD_DIR/xen/dom0.cpio.gz as its initramfs (scripts/xen-dom0.sh builds
# them; guest/xen-dom0-init is its /init).
#
# Usage: scripts/xen-nested.sh BUILD_DIR [options] -- COMMAND [ARG...]
#   --timeout S      hard limit for the whole run; QEMU is killed after it (600)
#   --out DIR        copy what the command left in $XEN_OUT (/out) to DIR
#   --in DIR         make DIR's contents available in dom0 as /in/files (the cwd)
#   --log FILE       keep the console log (Xen + dom0) in FILE
#   --out-size MB    size of the results disk (256)
#   --mem MB         QEMU memory (3072); --dom0-mem MB dom0's share (1024)
#   --smp N          virtual CPUs of the nested machine (2)
#   --numa N         N NUMA nodes: N sockets, the CPUs and the memory split
#                    evenly, one RAM backend per node, distances 10 (local)
#                    and 20 (remote); 0 = QEMU's single node (0)
#   --no-xen         boot the dom0 kernel directly, without Xen, with
#                    bench.bed=numa (its /init then mounts cgroups instead of
#                    starting the toolstack): a plain machine, the NUMA test
#                    bed (scripts/test-numa); the console is ttyS0
#   --quiet          do not stream the console to stdout (the log still has it)
#   --verbose        Xen and dom0 kernel log everything
#
# Transport: the command never goes through a shell string. Its arguments
# are written NUL-terminated to "argv" in a tar (plus --in DIR as files/)
# that QEMU attaches as a read-only raw virtio disk with serial "benchin";
# the dom0 reads it into a bash array. The results come back as a raw tar on
# a second virtio disk (serial "benchout", a sparse temp file) holding
# "status" and "out/", which this script extracts with tar after QEMU exits:
# nothing is mounted on the host. The console (Xen's com1: Xen's messages
# and dom0's hvc0) goes to a log file that is streamed to stdout.
#
# Exit status: the command's own; 124 on timeout; 125 when the nested
# system did not report a status (boot failure: see the log); 130 on
# SIGINT/SIGTERM; 2 on usage errors. QEMU is always reaped and the temp
# directory removed.
set -euo pipefail

say() { echo "xen-nested: $*" >&2; }
die() { echo "xen-nested: $*" >&2; exit "${2:-1}"; }
usage() { die "usage: $0 BUILD_DIR [--timeout S] [--out DIR] [--in DIR] [--log FILE] [--out-size MB] [--mem MB] [--dom0-mem MB] [--smp N] [--numa N] [--no-xen] [--quiet] [--verbose] -- COMMAND [ARG...]" 2; }

[[ $# -ge 1 ]] || usage
build=$1
shift
timeout_s=600 outdir='' indir='' logfile='' out_mb=256 mem=3072 dom0_mem=1024 smp=2 quiet=0 verbose=0
numa=0 noxen=0
num() { [[ $2 =~ ^[1-9][0-9]*$ ]] || die "$1 wants a positive integer, not '$2'" 2; }
while [[ $# -gt 0 ]]; do
	case $1 in
	--timeout) [[ $# -ge 2 ]] || usage; num "$1" "$2"; timeout_s=$2; shift 2 ;;
	--out) [[ $# -ge 2 ]] || usage; outdir=$2; shift 2 ;;
	--in) [[ $# -ge 2 ]] || usage; indir=$2; shift 2 ;;
	--log) [[ $# -ge 2 ]] || usage; logfile=$2; shift 2 ;;
	--out-size) [[ $# -ge 2 ]] || usage; num "$1" "$2"; out_mb=$2; shift 2 ;;
	--mem) [[ $# -ge 2 ]] || usage; num "$1" "$2"; mem=$2; shift 2 ;;
	--dom0-mem) [[ $# -ge 2 ]] || usage; num "$1" "$2"; dom0_mem=$2; shift 2 ;;
	--smp) [[ $# -ge 2 ]] || usage; num "$1" "$2"; smp=$2; shift 2 ;;
	--numa) [[ $# -ge 2 ]] || usage; num "$1" "$2"; numa=$2; shift 2 ;;
	--no-xen) noxen=1; shift ;;
	--quiet) quiet=1; shift ;;
	--verbose) verbose=1; shift ;;
	--) shift; break ;;
	*) usage ;;
	esac
done
[[ $# -ge 1 ]] || usage
[[ $dom0_mem -lt $mem ]] || die "--dom0-mem must be below --mem" 2
if [[ $numa -gt 0 ]]; then
	((smp % numa == 0)) || die "--smp $smp does not split evenly over --numa $numa nodes" 2
	((mem % numa == 0)) || die "--mem $mem does not split evenly over --numa $numa nodes" 2
fi
[[ -z $indir || -d $indir ]] || die "--in $indir is not a directory" 2

xen=$build/xen/xen.elf
kernel=$build/xen/vmlinuz
initrd=$build/xen/dom0.cpio.gz
for f in "$xen" "$kernel" "$initrd"; do
	[[ -f $f ]] || die "$f missing: run scripts/xen-dom0.sh $build (make xen-dom0)"
done
qemu=$(command -v qemu-system-x86_64) || die "qemu-system-x86_64 not found"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/xen-nested.XXXXXX")
qpid='' tpid=''
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [[ -n $qpid ]] && kill -0 "$qpid" 2>/dev/null; then
		kill -TERM "$qpid" 2>/dev/null || true
		wait "$qpid" 2>/dev/null || true
	fi
	if [[ -n $tpid ]] && kill -0 "$tpid" 2>/dev/null; then
		kill -TERM "$tpid" 2>/dev/null || true
		wait "$tpid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT TERM

# QEMU's multiboot module list is "path args,path args": no commas or
# whitespace in the paths it carries.
abs() { (cd "$(dirname "$1")" && printf '%s/%s' "$(pwd)" "$(basename "$1")"); }
xen=$(abs "$xen") kernel=$(abs "$kernel") initrd=$(abs "$initrd")
for p in "$xen" "$kernel" "$initrd"; do
	[[ $p != *[,[:space:]]* ]] || die "path with a comma or whitespace: $p" 2
done

# --- the command disk ------------------------------------------------------------
mkdir "$tmp/in"
printf '%s\0' "$@" >"$tmp/in/argv"
if [[ -n $indir ]]; then
	mkdir "$tmp/in/files"
	cp -a "$indir/." "$tmp/in/files/"
fi
tar -c -f "$tmp/in.tar" -C "$tmp/in" --owner=0 --group=0 .
truncate -s "${out_mb}M" "$tmp/out.img"
[[ -n $logfile ]] || logfile=$tmp/console.log
# QEMU option values are comma-separated lists too
[[ $logfile != *,* && $tmp != *,* ]] || die "path with a comma: $logfile or $tmp" 2
: >"$logfile"

xen_args=(console=com1 "com1=115200,8n1" "dom0_mem=${dom0_mem}M,max:${dom0_mem}M"
	"dom0_max_vcpus=$smp" noreboot=false)
dom0_args=(console=hvc0)
if [[ $verbose -eq 1 ]]; then
	xen_args+=(loglvl=all guest_loglvl=all)
else
	dom0_args+=(quiet)
fi

# the machine: one node, or --numa N sockets with a RAM backend each
machine=(-smp "$smp" -m "$mem")
if [[ $numa -gt 0 ]]; then
	per=$((smp / numa))
	machine=(-smp "$smp,sockets=$numa,cores=$per,threads=1" -m "$mem")
	for ((n = 0; n < numa; n++)); do
		machine+=(-object "memory-backend-ram,id=node$n,size=$((mem / numa))M"
			-numa "node,nodeid=$n,cpus=$((n * per))-$((n * per + per - 1)),memdev=node$n")
	done
	for ((a = 0; a < numa; a++)); do
		for ((b = a + 1; b < numa; b++)); do
			machine+=(-numa "dist,src=$a,dst=$b,val=20")
		done
	done
fi
if [[ $noxen -eq 1 ]]; then
	kargs=(console=ttyS0 bench.bed=numa)
	[[ $verbose -eq 1 ]] || kargs+=(quiet)
	boot=(-cpu qemu64 -kernel "$kernel" -append "${kargs[*]}" -initrd "$initrd")
else
	boot=(-cpu "qemu64,+svm,+npt" -kernel "$xen" -append "${xen_args[*]}"
		-initrd "$kernel ${dom0_args[*]},$initrd")
fi
qemu_args=(-accel tcg "${machine[@]}"
	-nodefaults -no-user-config -display none -no-reboot
	-chardev "file,id=con,path=$logfile" -serial chardev:con
	"${boot[@]}"
	-drive "file=$tmp/in.tar,format=raw,if=none,id=benchin,readonly=on"
	-device "virtio-blk-pci,drive=benchin,serial=benchin"
	-drive "file=$tmp/out.img,format=raw,if=none,id=benchout"
	-device "virtio-blk-pci,drive=benchout,serial=benchout")

if [[ $noxen -eq 1 ]]; then
	say "booting the dom0 kernel without Xen, $smp CPUs, $((numa > 0 ? numa : 1)) node(s) (timeout ${timeout_s}s): ${*@Q}"
else
	say "booting Xen + dom0 (timeout ${timeout_s}s): ${*@Q}"
fi
start=$(date +%s.%N)
# timeout(1) runs QEMU in its own process group and passes our TERM on to it
timeout --kill-after=10 "$timeout_s" "$qemu" "${qemu_args[@]}" </dev/null &
qpid=$!
if [[ $quiet -eq 0 ]]; then
	tail -n +1 -s 0.2 -F --pid="$qpid" "$logfile" 2>/dev/null &
	tpid=$!
fi
set +e
wait "$qpid"
qrc=$?
set -e
qpid=
if [[ -n $tpid ]]; then
	wait "$tpid" 2>/dev/null || true
	tpid=
fi
elapsed=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
if [[ $qrc -eq 124 || $qrc -eq 137 ]]; then
	say "timed out after ${timeout_s}s: QEMU killed"
	exit 124
fi
[[ $qrc -eq 0 ]] || say "QEMU exited with status $qrc"

# --- results --------------------------------------------------------------------
mkdir "$tmp/x"
status=
if tar -x -f "$tmp/out.img" -C "$tmp/x" --no-same-owner 2>/dev/null && [[ -f $tmp/x/status ]]; then
	status=$(<"$tmp/x/status")
fi
if [[ ! $status =~ ^[0-9]+$ ]]; then
	status=$(sed -n 's/^@@XEN-DOM0-EXIT@@ \([0-9]\+\).*$/\1/p' "$logfile" | tail -n1)
	[[ -n $status ]] && say "no results disk; status from the console"
fi
if [[ ! $status =~ ^[0-9]+$ ]]; then
	say "the dom0 reported no exit status after ${elapsed}s (log: ${logfile})"
	[[ $logfile != "$tmp"/* ]] || tail -n 40 "$logfile" >&2
	exit 125
fi
if [[ -n $outdir ]]; then
	mkdir -p "$outdir"
	if [[ -d $tmp/x/out ]]; then
		cp -a "$tmp/x/out/." "$outdir/"
		say "results copied to $outdir"
	fi
fi
say "command exit status $status after ${elapsed}s"
exit "$status"
