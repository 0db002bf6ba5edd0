# shellcheck shell=bash
# Hosts for the fleet test, made on this machine (sourced by scripts/test-fleet).
#
# Each host is a network namespace with its own address on a bridge this
# testbed creates (not bench's benchbr0), its own sshd (a generated config,
# host key, port and PidFile, started with `ip netns exec`), its own install
# and results directories under the testbed's directory. One key pair is made
# for the run; known_hosts is written from the hosts' public keys, so SSH
# checks them strictly. testbed_down removes everything testbed_up made, also
# after a partial set-up; call it from a trap.
#
#   testbed_reclaim_stale  remove what a killed testbed left (its pid is gone)
#   testbed_up DIR N       make N hosts h1..hN under DIR (DIR must exist, empty)
#   testbed_down           remove them (idempotent)
#   testbed_stop_sshd I    stop host hI's sshd and its sessions (host unreachable)
#   testbed_bench_pid I    the pid of a `bench run` running in host hI, or nothing
# After testbed_up: TB_DIR, TB_HOSTS (h1 ...), TB_ADDR[i], TB_NS[i], TB_PORT,
# TB_KEY (private key), TB_KNOWN (known_hosts), TB_HOSTDIR[i] (the host's own
# directory: opt/ for bench, results/, tmp/).

TB_PORT=2222
TB_DIR=
TB_BRIDGE=
TB_MADE_PRIVSEP=
TB_HOSTS=()
declare -a TB_ADDR TB_NS TB_HOSTDIR TB_VETH

tb_say() { echo "testbed: $*"; }

# A /24 under 10.213.80-99 that no interface here uses yet (bench itself uses
# 10.213.77.0/24).
tb_free_subnet() {
	local n
	for n in $(seq 80 99); do
		if ! ip -o -4 addr show | grep -q " 10\.213\.$n\."; then
			echo "10.213.$n"
			return 0
		fi
	done
	return 1
}

# What a testbed killed before its cleanup ran (SIGKILL, a crash) left: the
# namespaces bflt<pid>h<i> (and everything still running in them), the
# bridge bflt<pid> and veths bflt<pid>v<i>, for every <pid> that no longer
# runs. A live testbed's names are left alone.
testbed_reclaim_stale() {
	local ns link pid p
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		[[ "$ns" =~ ^bflt([0-9]+)h[0-9]+$ ]] || continue
		pid=${BASH_REMATCH[1]}
		kill -0 "$pid" 2>/dev/null && continue
		tb_say "removing namespace $ns left by a killed test (pid $pid)"
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
		ip netns del "$ns" 2>/dev/null || true
	done
	for link in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
		[[ "$link" =~ ^bflt([0-9]+)(v[0-9]+)?$ ]] || continue
		pid=${BASH_REMATCH[1]}
		kill -0 "$pid" 2>/dev/null && continue
		tb_say "removing interface $link left by a killed test (pid $pid)"
		ip link del "$link" 2>/dev/null || true
	done
	return 0
}

testbed_up() {
	local dir=$1 n=$2 i net
	# shellcheck disable=SC2034 # for the caller (see the header)
	TB_DIR=$dir
	# Names from this shell's pid keep two testbeds apart (IFNAMSIZ: 15).
	TB_BRIDGE="bflt$$"
	net=$(tb_free_subnet) || { echo "testbed: no free 10.213.80-99.0/24 subnet" >&2; return 1; }
	command -v sshd >/dev/null || [[ -x /usr/sbin/sshd ]] ||
		{ echo "testbed: /usr/sbin/sshd missing (scripts/deps.sh --fleet)" >&2; return 1; }
	# sshd's privilege separation directory (made by the service script
	# normally); removed at the end only if made here.
	if [[ ! -d /run/sshd ]]; then
		mkdir -m 0755 /run/sshd
		TB_MADE_PRIVSEP=1
	fi
	ip link add "$TB_BRIDGE" type bridge || return 1
	ip addr add "$net.1/24" dev "$TB_BRIDGE" || return 1
	ip link set "$TB_BRIDGE" up || return 1
	ssh-keygen -q -t ed25519 -N '' -C "bench-fleet-test-$$" -f "$dir/id_ed25519" || return 1
	TB_KEY=$dir/id_ed25519
	TB_KNOWN=$dir/known_hosts
	: >"$TB_KNOWN"
	for ((i = 1; i <= n; i++)); do
		local h="h$i" ns="bflt$$h$i" veth="bflt$$v$i" hd="$dir/hosts/h$i"
		TB_HOSTS+=("$h")
		TB_NS[i]=$ns
		TB_VETH[i]=$veth
		TB_ADDR[i]="$net.$((10 + i))"
		TB_HOSTDIR[i]=$hd
		mkdir -p "$hd/opt" "$hd/results" "$hd/tmp" "$hd/ssh" || return 1
		ip netns add "$ns" || return 1
		ip link add "$veth" type veth peer name "${veth}p" || return 1
		ip link set "$veth" master "$TB_BRIDGE" up || return 1
		ip link set "${veth}p" netns "$ns" || return 1
		ip -n "$ns" link set "${veth}p" name eth0 || return 1
		ip -n "$ns" addr add "${TB_ADDR[i]}/24" dev eth0 || return 1
		ip -n "$ns" link set eth0 up || return 1
		ip -n "$ns" link set lo up || return 1
		ssh-keygen -q -t ed25519 -N '' -C "$h" -f "$hd/ssh/host_ed25519" || return 1
		cp "$dir/id_ed25519.pub" "$hd/ssh/authorized_keys"
		cat >"$hd/ssh/sshd_config" <<EOF
Port $TB_PORT
ListenAddress ${TB_ADDR[i]}
HostKey $hd/ssh/host_ed25519
PidFile $hd/ssh/sshd.pid
AuthorizedKeysFile $hd/ssh/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PrintMotd no
Subsystem sftp /usr/lib/openssh/sftp-server
EOF
		echo "[${TB_ADDR[i]}]:$TB_PORT $(cut -d' ' -f1,2 "$hd/ssh/host_ed25519.pub")" >>"$TB_KNOWN"
		ip netns exec "$ns" /usr/sbin/sshd -D -e -f "$hd/ssh/sshd_config" \
			>"$hd/ssh/sshd.log" 2>&1 </dev/null &
	done
	# Ready when a real login works (strict host key checking, our key).
	for ((i = 1; i <= n; i++)); do
		local ok=0
		for _ in $(seq 1 100); do
			if ssh -q -o BatchMode=yes -o ConnectTimeout=2 -o IdentitiesOnly=yes \
				-o StrictHostKeyChecking=yes -o UserKnownHostsFile="$TB_KNOWN" \
				-i "$TB_KEY" -p "$TB_PORT" "root@${TB_ADDR[i]}" true </dev/null 2>/dev/null; then
				ok=1
				break
			fi
			sleep 0.1
		done
		if [[ $ok -ne 1 ]]; then
			echo "testbed: sshd of h$i (${TB_ADDR[i]}:$TB_PORT in ${TB_NS[i]}) does not accept our key; its log:" >&2
			cat "${TB_HOSTDIR[i]}/ssh/sshd.log" >&2
			return 1
		fi
	done
	tb_say "${#TB_HOSTS[@]} hosts up: $(for ((i = 1; i <= n; i++)); do printf '%s=%s:%s ' "h$i" "${TB_ADDR[i]}" "$TB_PORT"; done)(bridge $TB_BRIDGE)"
}

# Pids of the processes in host i's namespace.
tb_ns_pids() {
	[[ -n "${TB_NS[$1]:-}" && -e "/run/netns/${TB_NS[$1]}" ]] || return 0
	ip netns pids "${TB_NS[$1]}" 2>/dev/null || true
}

testbed_stop_sshd() {
	local i=$1 p
	# The listener, then the sessions it forked (every sshd process in the
	# namespace): what a host that drops off the network looks like to SSH.
	if [[ -s "${TB_HOSTDIR[i]}/ssh/sshd.pid" ]]; then
		kill "$(cat "${TB_HOSTDIR[i]}/ssh/sshd.pid")" 2>/dev/null || true
	fi
	for p in $(tb_ns_pids "$i"); do
		[[ "$(cat "/proc/$p/comm" 2>/dev/null)" == sshd ]] && kill "$p" 2>/dev/null
	done
	return 0
}

testbed_bench_pid() {
	local i=$1 p exe
	for p in $(tb_ns_pids "$i"); do
		exe=$(readlink "/proc/$p/exe" 2>/dev/null) || continue
		[[ "$exe" == "${TB_HOSTDIR[i]}/opt/bench" ]] || continue
		# argv[1] is the subcommand (not `bench list` of the check step)
		if [[ "$(tr '\0' '\n' <"/proc/$p/cmdline" 2>/dev/null | sed -n 2p)" == run ]]; then
			echo "$p"
			return 0
		fi
	done
	return 0
}

testbed_down() {
	local i p left
	for i in "${!TB_NS[@]}"; do
		testbed_stop_sshd "$i"
		# Whatever still runs in the namespace (an async bench job whose
		# host went unreachable): SIGINT first, so bench cleans up.
		for p in $(tb_ns_pids "$i"); do kill -INT "$p" 2>/dev/null || true; done
		for _ in $(seq 1 50); do
			left=$(tb_ns_pids "$i")
			[[ -z "$left" ]] && break
			sleep 0.1
		done
		for p in $(tb_ns_pids "$i"); do kill -KILL "$p" 2>/dev/null || true; done
		ip netns del "${TB_NS[i]}" 2>/dev/null || true
		ip link del "${TB_VETH[i]}" 2>/dev/null || true
	done
	if [[ -n "$TB_BRIDGE" ]]; then
		ip link del "$TB_BRIDGE" 2>/dev/null || true
	fi
	if [[ -n "$TB_MADE_PRIVSEP" ]]; then
		rmdir /run/sshd 2>/dev/null || true
	fi
	TB_NS=() TB_VETH=() TB_BRIDGE="" TB_MADE_PRIVSEP=""
	return 0
}
