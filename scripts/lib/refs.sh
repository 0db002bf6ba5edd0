# Shared by the scripts/bench-* reference comparisons (source it from the
# repository's top directory): medians, ratios, wl's rep JSON, long-lived
# measuring processes driven line by line, and the verdict lines that
# scripts/bench-all-refs collects.

# pinned CPU CMD...: CMD on CPU at niceness REFS_NICE (default -19; as
# root, else the warning and niceness 0), for the reference and wl alike:
# unpinned work elsewhere on the host (compilers) then barely takes CPU
# time from the measured processes. `REFS_NICE=0` measures at the default.
# Where the command must be exec'd or put in the background (its pid
# killed), spell it "${nice_cmd[@]}" taskset -c CPU CMD....
nice_cmd=(nice -n "${REFS_NICE:--19}")
pinned() {
	local cpu=$1
	shift
	"${nice_cmd[@]}" taskset -c "$cpu" "$@"
}

# median: the median of the numbers on stdin, one per line.
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# quartiles: "q1 q3" of the numbers on stdin (nearest rank), to show a spread.
quartiles() { sort -g | awk '{v[NR] = $1} END {i = int((NR + 3) / 4); j = int((3 * NR + 3) / 4); print v[i], v[j]}'; }

# ratio A B: A / B with 4 decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.4f", a / b}'; }

# metric NAME: the value of metric NAME in the wl rep objects on stdin.
metric() { sed -n "s/.*\"name\":\"$1\",\"unit\":\"[^\"]*\",\"better\":\"[a-z]*\",\"value\":\([0-9.eE+-]*\).*/\1/p"; }

# wl_cflags_build OUT SOURCE: compiles a reference program with the compiler
# and flags the Makefile uses for wl, static like wl.
wl_cflags_build() {
	local flags
	flags=$(make --no-print-directory -s print-wl-cflags)
	# shellcheck disable=SC2086
	${CC:-cc} $flags -static -o "$1" "$2" -lm
}

# llc_bytes: the last-level cache of cpu0 as sysfs describes it (what wl
# reads too), or 32 MiB when sysfs says nothing.
llc_bytes() {
	local idx kib llc=0
	for idx in /sys/devices/system/cpu/cpu0/cache/index*; do
		[[ -r "$idx/size" && "$(cat "$idx/type")" != Instruction ]] || continue
		kib=$(sed 's/K$//' "$idx/size")
		[[ "$kib" =~ ^[0-9]+$ ]] && ((kib * 1024 > llc)) && llc=$((kib * 1024))
	done
	echo $((llc > 0 ? llc : 32 << 20))
}

# A line-driven process (wl agent, a reference that measures once per input
# line): coproc_start NAME CMD... starts CMD with its stdin and stdout on
# FIFOs and sets ${NAME}_in, ${NAME}_out (file descriptors) and ${NAME}_pid.
# coproc_say NAME LINE writes one line; coproc_read NAME reads one reply
# line into REPLY within 600 s (fails, naming NAME, on EOF or timeout).
# coproc_stop_all closes them and waits (call it from the EXIT trap).
_coproc_names=()
_coproc_fds=()
_coproc_dir=
coproc_start() {
	local name=$1 fd_in fd_out pid
	shift
	[[ -n "$_coproc_dir" ]] || _coproc_dir=$(mktemp -d)
	mkfifo "$_coproc_dir/$name.in" "$_coproc_dir/$name.out"
	# The new process must not hold the others' pipe ends (EOF would never
	# reach them).
	(
		for fd in "${_coproc_fds[@]}"; do eval "exec $fd>&-"; done
		exec "$@"
	) <"$_coproc_dir/$name.in" >"$_coproc_dir/$name.out" &
	pid=$!
	exec {fd_in}>"$_coproc_dir/$name.in" {fd_out}<"$_coproc_dir/$name.out"
	printf -v "${name}_in" %s "$fd_in"
	printf -v "${name}_out" %s "$fd_out"
	printf -v "${name}_pid" %s "$pid"
	_coproc_names+=("$name")
	_coproc_fds+=("$fd_in" "$fd_out")
}
coproc_say() {
	local fd="${1}_in"
	printf '%s\n' "$2" >&"${!fd}"
}
coproc_read() {
	local fd="${1}_out"
	IFS= read -r -t 600 REPLY <&"${!fd}" || { echo "$1 stopped answering (EOF or 600 s)" >&2; return 1; }
}
coproc_stop_all() {
	local name var fd
	for fd in "${_coproc_fds[@]}"; do eval "exec $fd>&-"; done
	for name in "${_coproc_names[@]}"; do
		var="${name}_pid" && wait "${!var}" 2>/dev/null || true
	done
	_coproc_names=() _coproc_fds=()
	[[ -z "$_coproc_dir" ]] || rm -rf "$_coproc_dir"
	_coproc_dir=
}

# wl_agent_open NAME CPU WORKLOAD [OPTION VALUE...]: a `wl agent` pinned to
# CPU with WORKLOAD opened (setup done, untimed); fails with wl's message.
wl_agent_open() {
	local name=$1 cpu=$2 line
	shift 2
	coproc_start "$name" "${nice_cmd[@]}" taskset -c "$cpu" build/wl agent
	coproc_read "$name" || return 1
	line=open
	for a in "$@"; do line+=$'\t'"$a"; done
	coproc_say "$name" "$line"
	coproc_read "$name" || return 1
	[[ "$REPLY" == *'"type":"opened"'* ]] || { echo "wl agent: open $*: $REPLY" >&2; return 1; }
}

# wl_agent_rep NAME: one rep; leaves the rep object in REPLY (read metrics
# with `metric M <<<"$REPLY"`); fails with wl's message on an error or an
# invalid rep. Call it without a subshell, so that REPLY survives.
wl_agent_rep() {
	coproc_say "$1" rep
	coproc_read "$1" || return 1
	[[ "$REPLY" == *'"type":"rep"'*'"valid":true'* ]] || { echo "wl agent: rep: $REPLY" >&2; return 1; }
}

# verdict WORKLOAD REFERENCE VALUE OP TARGET [DETAIL]: prints the verdict
# line and appends it, tab-separated, to $REFS_RESULTS when that is set
# (scripts/bench-all-refs reads them). OP is >= or <=. Returns 0 on pass.
verdict() {
	local workload=$1 reference=$2 value=$3 op=$4 target=$5 detail=${6:-} pass
	if awk -v v="$value" -v t="$target" -v op="$op" 'BEGIN {exit !(op == ">=" ? v >= t : v <= t)}'; then
		pass=pass
	else
		pass=FAIL
	fi
	printf '%-16s / %-28s %8s (target %s %s) %s%s\n' "$workload" "$reference" "$value" "$op" "$target" \
		"$pass" "${detail:+  [$detail]}"
	[[ -z "${REFS_RESULTS:-}" ]] ||
		printf '%s\t%s\t%s\t%s %s\t%s\t%s\n' "$workload" "$reference" "$value" "$op" "$target" "$pass" \
			"$detail" >>"$REFS_RESULTS"
	[[ $pass == pass ]]
}
