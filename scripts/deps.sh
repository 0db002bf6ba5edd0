#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages bench needs, only those missing.
# Idempotent and non-interactive; says what it does. Used by `make deps`,
# which the README's two commands run first. With --bench it also installs
# the reference tools the scripts/bench-* comparisons run (iperf3, sockperf,
# fio, linux-perf for `perf bench`). With --guest it installs what
# scripts/guest-image.sh needs to build and boot the QEMU guest image (QEMU,
# static busybox, cpio, kmod's depmod).
set -euo pipefail

packages=(
	gcc make pkg-config libc6-dev
	libhwloc-dev libnuma-dev libjansson-dev libgsl-dev libcmocka-dev
	libpcap-dev liburing-dev libfyaml-dev libsqlite3-dev
	procps iproute2 runc gnuplot-nox
	docker.io lxc iptables
	clang-format python3 python3-junitparser
	chromium
	clang libclang-rt-dev
)
if [[ "${1:-}" == --bench ]]; then
	packages=(iperf3 sockperf fio linux-perf)
elif [[ "${1:-}" == --guest ]]; then
	packages=(qemu-system-x86 busybox-static cpio kmod xz-utils)
elif [[ "${1:-}" == --fleet ]]; then
	packages=(ansible-core openssh-client openssh-server tar gzip)
fi

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
	echo "deps: all ${#packages[@]} packages present"
	exit 0
fi

if ! command -v apt-get >/dev/null; then
	echo "deps: missing ${missing[*]} and no apt-get here: install them by hand" >&2
	exit 1
fi
sudo=()
if [[ $(id -u) -ne 0 ]]; then
	command -v sudo >/dev/null || { echo "deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
	sudo=(sudo)
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq
"${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
