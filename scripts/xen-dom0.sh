#!/usr/bin/env bash
# Builds the nested-Xen test bed: BUILD_DIR/xen/{xen.elf,vmlinuz,dom0.cpio.gz,
# kernel-version,packages}. Downloads are cached in BUILD_DIR/xen-cache/.
#
#   xen.elf        Debian's Xen 4.17 hypervisor, gunzipped: QEMU's -kernel
#                  boots it through multiboot.
#   vmlinuz        the dom0 kernel: Debian's *generic* amd64 kernel of the same
#                  ABI as the guest's cloud kernel. The cloud flavour is built
#                  without CONFIG_XEN_DOM0: as dom0 it boots as if it were a
#                  domU (no hvc0 output from user space, no xenbus backend, no
#                  /proc/xen/xsd_kva), so it cannot host xenstored or backends.
#   dom0.cpio.gz   the dom0 initramfs: static busybox, bash, iproute2 and
#                  losetup from the host with their libraries, the Xen tools
#                  (xl, xenstored, xenconsoled, xenstore-*, hotplug scripts)
#                  with their libraries, the Xen backend modules in depmod
#                  order, build/bench and its ldd closure, build/wl, the domU
#                  image build/guest/, and guest/xen-dom0-init as /init.
#
# The tree mirrors build/ under /opt/bench (bench finds wl next to itself and
# the guest image in guest/ next to wl). Idempotent: the initramfs is rebuilt
# only when an input changed. Usage: scripts/xen-dom0.sh BUILD_DIR
set -euo pipefail

say() { echo "xen-dom0: $*"; }
die() { echo "xen-dom0: $*" >&2; exit 1; }

[[ $# -eq 1 ]] || die "usage: $0 BUILD_DIR"
here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib/initramfs.sh
. "$here/scripts/lib/initramfs.sh"
build=$(mkdir -p "$1" && cd "$1" && pwd)
out=$build/xen
cache=$build/xen-cache
debdir=$cache/debs
init=$here/guest/xen-dom0-init
mkdir -p "$out" "$cache" "$debdir"

for f in "$build/bench" "$build/wl"; do
	[[ -x $f ]] || die "$f missing: run make first"
done
for f in vmlinuz initramfs.cpio.gz; do
	[[ -f $build/guest/$f ]] || die "$build/guest/$f missing: run make guest first"
done
[[ -f $init ]] || die "$init missing"
busybox=/bin/busybox
[[ -x $busybox ]] || die "$busybox missing (apt-get install busybox-static)"
for t in apt-get apt-cache dpkg-deb dpkg-query depmod cpio gzip ldd file; do
	command -v "$t" >/dev/null || die "$t not found"
done

aptopt=()
[[ $(id -u) -ne 0 ]] || aptopt=(-o APT::Sandbox::User=root)
updated=0
apt_update_once() {
	[[ $updated -eq 0 ]] || return 0
	say "apt-get update"
	apt-get update -qq
	updated=1
}
# download one package into $debdir unless a .deb of it is already there
fetch_deb() {
	local pkg=$1 debs
	debs=("$debdir/${pkg}"_*.deb)
	[[ -f ${debs[0]} ]] && return 0
	say "downloading $pkg"
	(cd "$debdir" && apt-get download -q "${aptopt[@]}" "$pkg" >/dev/null 2>&1) ||
		{ apt_update_once && (cd "$debdir" && apt-get download -q "${aptopt[@]}" "$pkg" >/dev/null); } ||
		die "apt-get download $pkg failed"
	debs=("$debdir/${pkg}"_*.deb)
	[[ -f ${debs[0]} ]] || die "apt-get download left no ${pkg}_*.deb in $debdir"
}
deb_of() {
	local debs=("$debdir/${1}"_*.deb)
	[[ -f ${debs[0]} ]] || die "no ${1}_*.deb in $debdir"
	echo "${debs[0]}"
}
# Depends/Pre-Depends of a package, real package names only
deps_of() {
	apt-cache depends "$1" 2>/dev/null |
		sed -n 's/^ *|\{0,1\}\(Pre\)\{0,1\}Depends: \([a-z0-9][^ <>]*\)$/\2/p' | sort -u
}
installed_on_host() {
	[[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]]
}

# --- kernel version: the guest's ABI, generic flavour; pinned ---------------
verfile=$out/kernel-version
if [[ -s $verfile ]]; then
	kver=$(<"$verfile")
	say "dom0 kernel $kver (pinned in $verfile)"
else
	if [[ -s $build/guest/kernel-version ]]; then
		gver=$(<"$build/guest/kernel-version")
		kver=${gver%-cloud-amd64}-amd64
	else
		dep=$(apt-cache depends linux-image-amd64 2>/dev/null |
			sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)\( .*\)\?$/\1/p' | head -n1)
		[[ -n $dep ]] || { apt_update_once; dep=$(apt-cache depends linux-image-amd64 2>/dev/null |
			sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)\( .*\)\?$/\1/p' | head -n1); }
		[[ -n $dep ]] || die "cannot resolve linux-image-amd64's kernel package"
		kver=${dep#linux-image-}
	fi
	echo "$kver" >"$verfile"
	say "dom0 kernel $kver (pinned in $verfile)"
fi
kpkg=linux-image-$kver

# --- packages: Xen, its libraries not on the host, the dom0 kernel ---------
main_pkgs=(xen-hypervisor-4.17-amd64 xen-utils-4.17 xen-utils-common xenstore-utils)
listfile=$debdir/.packages
if [[ -s $listfile ]]; then
	mapfile -t pkgs <"$listfile"
	for p in "${pkgs[@]}"; do fetch_deb "$p"; done
	say "using cached packages (${#pkgs[@]}, listed in $listfile)"
else
	apt-cache show "${main_pkgs[0]}" >/dev/null 2>&1 || apt_update_once
	# closure over library dependencies the host does not have; the others
	# are copied from the host (same Debian release) by the ldd pass below
	declare -A want=()
	queue=("${main_pkgs[@]}")
	while [[ ${#queue[@]} -gt 0 ]]; do
		p=${queue[0]}
		queue=("${queue[@]:1}")
		[[ -n ${want[$p]:-} ]] && continue
		want[$p]=1
		while read -r d; do
			[[ $d == lib* ]] || continue
			[[ -n ${want[$d]:-} ]] && continue
			installed_on_host "$d" && continue
			queue+=("$d")
		done < <(deps_of "$p")
	done
	mapfile -t pkgs < <(printf '%s\n' "${!want[@]}" | LC_ALL=C sort)
	for p in "${pkgs[@]}"; do fetch_deb "$p"; done
	printf '%s\n' "${pkgs[@]}" >"$listfile"
	say "packages: ${pkgs[*]}"
fi
fetch_deb "$kpkg"
kdeb=$(deb_of "$kpkg")

# --- unpack --------------------------------------------------------------------
xroot=$cache/root-xen
xsum=$(for p in "${pkgs[@]}"; do basename "$(deb_of "$p")"; done | sha256sum | cut -d' ' -f1)
if [[ ! -f $xroot/.unpacked || $(<"$xroot/.unpacked") != "$xsum" ]]; then
	say "unpacking ${#pkgs[@]} Xen packages into $xroot"
	rm -rf "$xroot"
	mkdir -p "$xroot"
	for p in "${pkgs[@]}"; do dpkg-deb -x "$(deb_of "$p")" "$xroot"; done
	echo "$xsum" >"$xroot/.unpacked"
fi
kroot=$cache/root-$kver
if [[ ! -f $kroot/.unpacked || $kroot/.unpacked -ot $kdeb ]]; then
	say "unpacking $(basename "$kdeb") into $kroot"
	rm -rf "$kroot"
	mkdir -p "$kroot"
	dpkg-deb -x "$kdeb" "$kroot"
	touch "$kroot/.unpacked"
fi
moddir=$kroot/lib/modules/$kver
[[ -f $kroot/boot/vmlinuz-$kver ]] || die "no boot/vmlinuz-$kver in $kdeb"
grep -q '^CONFIG_XEN_DOM0=y' "$kroot/boot/config-$kver" || die "$kpkg is built without CONFIG_XEN_DOM0"
if [[ ! -f $moddir/modules.dep || $moddir/modules.dep -ot $kroot/.unpacked ]]; then
	say "depmod -b $kroot $kver"
	depmod -b "$kroot" "$kver"
fi

# --- xen.elf -------------------------------------------------------------------
xgz=$xroot/boot/xen-4.17-amd64.gz
[[ -f $xgz ]] || die "no boot/xen-4.17-amd64.gz in xen-hypervisor-4.17-amd64"
if [[ ! -f $out/xen.elf || $out/xen.elf -ot $xgz ]]; then
	say "gunzip $xgz -> $out/xen.elf"
	gzip -dc "$xgz" >"$out/xen.elf.tmp"
	mv "$out/xen.elf.tmp" "$out/xen.elf"
fi
if [[ ! -f $out/vmlinuz ]] || ! cmp -s "$kroot/boot/vmlinuz-$kver" "$out/vmlinuz"; then
	cp "$kroot/boot/vmlinuz-$kver" "$out/vmlinuz"
fi

# --- dom0 modules in depmod order -----------------------------------------------
# xen-evtchn, gntdev, gntalloc, privcmd, xenfs: the toolstack's devices;
# netback, blkback (+loop for file-backed disks): the backends; bridge and
# tun: domU networking; virtio_blk/virtio_pci: the disks xen-nested.sh
# passes the command in and the results out on.
wanted=(xen_evtchn xen_gntdev xen_gntalloc xen_privcmd xenfs xen_netback xen_blkback
	loop bridge tun virtio virtio_ring virtio_pci virtio_blk)
module_order "$moddir" 1 "${wanted[@]}"
order=("${module_paths[@]}")
say "module order: $(module_names)"

# --- host programs the dom0 needs ---------------------------------------------
# bash: the hotplug scripts; ip/bridge: vif-bridge; losetup: the block
# script (util-linux output format for its sharing check), flock: its
# locking.sh (not in busybox-static); stat: coreutils
# formats (%D) the block script relies on; runc: the container environment
# when this image boots without Xen as the NUMA test bed (scripts/test-numa).
host_bins=()
for b in bash ip bridge losetup stat flock runc; do
	p=$(command -v "$b") || die "host has no $b (bash, iproute2, util-linux, coreutils, runc)"
	host_bins+=("$(readlink -f "$p")")
done

# --- initramfs ------------------------------------------------------------------
guest_files=("$build/guest/vmlinuz" "$build/guest/initramfs.cpio.gz")
for f in image.sha256 kernel-version; do
	[[ -f $build/guest/$f ]] && guest_files+=("$build/guest/$f")
done
inputs_sum=$( {
	echo "$kver"
	printf '%s\n' "${order[@]}"
	for p in "${pkgs[@]}"; do basename "$(deb_of "$p")"; done
	sha256sum "$kdeb" "$init" "$busybox" "$0" "$here/scripts/lib/initramfs.sh" "$build/bench" "$build/wl" "${guest_files[@]}" \
		"${host_bins[@]}" | cut -d' ' -f1
	ldd "$build/bench" "${host_bins[@]}" 2>/dev/null | awk '$3 ~ /^\// { print $3 }' | sort -u |
		xargs -r readlink -f | xargs -r sha256sum | cut -d' ' -f1
} | sha256sum | cut -d' ' -f1)
stamp=$out/.inputs
if [[ -f $out/dom0.cpio.gz && -f $stamp && $(<"$stamp") == "$inputs_sum" ]]; then
	say "dom0 initramfs up to date"
else
	stage=$cache/stage
	say "staging the dom0 root in $stage"
	rm -rf "$stage"
	mkdir -p "$stage"/usr/{bin,sbin,lib/x86_64-linux-gnu,lib64,lib/modules} \
		"$stage"/{etc,proc,sys,dev,run,tmp,root,opt/bench/guest,var/lib/xen,var/log/xen}
	ln -s usr/bin "$stage/bin"
	ln -s usr/sbin "$stage/sbin"
	ln -s usr/lib "$stage/lib"
	ln -s usr/lib64 "$stage/lib64"
	ln -s ../run "$stage/var/run"
	ln -s ../run/lock "$stage/var/lock"
	chmod 1777 "$stage/tmp"

	# Xen tools: the unpacked packages minus documentation, python and boot
	cp -a "$xroot/etc" "$stage/"
	cp -a "$xroot/usr/." "$stage/usr/"
	rm -rf "${stage:?}/usr/share" "${stage:?}/usr/lib/xen-4.17/lib/python" "${stage:?}/usr/lib/python3"*
	# the Debian wrappers (/usr/sbin/xl -> xen-utils-wrapper) need xen-version
	# and friends; PATH in /init puts the real binaries first instead
	mkdir -p "$stage/etc/xen/auto"

	# host programs
	for b in "${host_bins[@]}"; do
		case $b in
		*/sbin/*) cp "$b" "$stage/usr/sbin/" ;;
		*) cp "$b" "$stage/usr/bin/" ;;
		esac
	done
	# busybox for everything else (never shadowing a real program)
	cp "$busybox" "$stage/usr/bin/busybox"
	for a in $("$busybox" --list); do
		[[ $a == busybox ]] && continue
		[[ -e $stage/usr/bin/$a || -L $stage/usr/bin/$a || -e $stage/usr/sbin/$a || -L $stage/usr/sbin/$a ]] &&
			continue
		ln -s busybox "$stage/usr/bin/$a"
	done
	# /bin/sh is busybox (init and xl's helpers), bash is /bin/bash
	ln -sf busybox "$stage/usr/bin/sh"

	# bench as in build/: /opt/bench/{bench,wl,guest/}
	cp "$build/bench" "$build/wl" "$stage/opt/bench/"
	cp "${guest_files[@]}" "$stage/opt/bench/guest/"
	ln -s ../../opt/bench/bench "$stage/usr/bin/bench"
	ln -s opt/bench/wl "$stage/wl"

	# every dynamic ELF's libraries: from the unpacked packages when they
	# have them, else from the host (same Debian release)
	libpath=$stage/usr/lib/x86_64-linux-gnu:$stage/usr/lib/xen-4.17/lib/x86_64-linux-gnu
	cp -L /lib64/ld-linux-x86-64.so.2 "$stage/usr/lib64/"
	ln -s ../lib64/ld-linux-x86-64.so.2 "$stage/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
	# dlopen()ed, so ldd does not list it: glibc loads libgcc_s for
	# pthread_cancel and unwinding (xl aborts without it)
	l=libgcc_s.so.1
	p=$(ldconfig -p | awk -v l="$l" '$1 == l && /x86-64/ && p == "" { p = $NF } END { print p }')
	[[ -n $p ]] || die "host has no $l"
	cp -L "$p" "$stage/usr/lib/x86_64-linux-gnu/$l"
	declare -A libdone=()
	pass=0
	while :; do
		pass=$((pass + 1))
		[[ $pass -le 10 ]] || die "library closure did not settle"
		added=0
		while IFS= read -r -d '' f; do
			[[ $(head -c4 "$f" | od -An -c | tr -d ' ') == 177ELF ]] || continue
			lout=$(LD_LIBRARY_PATH=$libpath ldd "$f" 2>&1) || continue # static or not ELF64
			if grep -q 'not found' <<<"$lout"; then
				die "unresolved libraries of ${f#"$stage"}: $(grep 'not found' <<<"$lout" | tr -s ' \t\n' ' ')"
			fi
			while read -r name path; do
				[[ $path == /* ]] || continue
				[[ $path == "$stage"/* ]] && continue
				[[ -n ${libdone[$name]:-} ]] && continue
				libdone[$name]=1
				[[ -e $stage/usr/lib/x86_64-linux-gnu/$name ]] && continue
				cp -L "$path" "$stage/usr/lib/x86_64-linux-gnu/$name"
				added=$((added + 1))
			done < <(awk '$2 == "=>" { print $1, $3 }' <<<"$lout")
		done < <(find "$stage/usr" "$stage/opt" -type f -perm -u+x -print0 -o -type f -name '*.so*' -print0)
		[[ $added -eq 0 ]] && break
		say "copied $added host libraries (pass $pass)"
	done

	# modules, decompressed, in load order
	module_install "$moddir" "$stage/usr/lib/modules" "$stage/etc/modules.order"

	printf 'root:x:0:0:root:/root:/bin/bash\n' >"$stage/etc/passwd"
	printf 'root:x:0:\n' >"$stage/etc/group"
	echo "$kver" >"$stage/etc/dom0-kernel-version"
	cp "$init" "$stage/init"
	chmod 755 "$stage/init"

	say "writing $out/dom0.cpio.gz"
	initramfs_pack "$stage" "$out/dom0.cpio.gz" 6
	for p in "${pkgs[@]}" "$kpkg"; do basename "$(deb_of "$p")" .deb; done >"$out/packages"
	echo "$inputs_sum" >"$stamp"
fi
say "Xen: $out/xen.elf"
say "dom0 kernel $kver: $out/vmlinuz"
say "dom0 initramfs: $out/dom0.cpio.gz ($(du -k "$out/dom0.cpio.gz" | cut -f1) KiB)"
say "packages: $out/packages"
