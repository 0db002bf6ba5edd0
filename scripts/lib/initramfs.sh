# Shared by scripts/guest-image.sh and scripts/xen-dom0.sh (source it):
# kernel modules in load order from an unpacked kernel package, and a
# reproducible initramfs. Callers define die().

# module_order MODDIR STRICT NAME...: sets the array module_paths to the
# modules NAME (underscore spelling) and their dependencies, dependencies
# first, as paths relative to MODDIR (from MODDIR/modules.dep, which
# `depmod -b` wrote). A NAME that is built in is skipped; one that is absent
# is skipped too, unless STRICT is 1 (then die).
module_order() {
	local moddir=$1 strict=$2 m p
	shift 2
	module_paths=()
	declare -gA module_seen=()
	for m in "$@"; do
		p=$(awk -F: -v n="$m" '{ p = $1; b = p; sub(/.*\//, "", b);
			sub(/\.ko(\.[a-z]+)?$/, "", b); gsub(/-/, "_", b);
			if (b == n) { print p; exit } }' "$moddir/modules.dep")
		if [[ -z $p ]]; then
			if ! grep -q "/${m//_/[-_]}\.ko" "$moddir/modules.builtin" 2>/dev/null &&
				[[ $strict == 1 ]]; then
				die "module $m neither in modules.dep nor built in"
			fi
			continue
		fi
		module_add "$moddir" "$p"
	done
}

# module_add MODDIR PATH: PATH after its dependencies (modules.dep lists
# them in reverse load order, so resolve them recursively).
module_add() {
	local moddir=$1 path=$2 line dep
	[[ -n ${module_seen[$path]:-} ]] && return 0
	module_seen[$path]=1
	line=$(grep -m1 "^${path}:" "$moddir/modules.dep" || true)
	for dep in ${line#*:}; do
		module_add "$moddir" "$dep"
	done
	module_paths+=("$path")
}

# module_names: the module_paths as bare names, space-separated.
module_names() {
	local p b
	for p in "${module_paths[@]}"; do
		b=${p##*/}
		printf '%s ' "${b%%.ko*}"
	done
}

# module_install MODDIR DESTDIR LISTFILE: decompresses module_paths into
# DESTDIR and writes LISTFILE, one "/lib/modules/NAME.ko" a line in order.
module_install() {
	local moddir=$1 dest=$2 list=$3 p b
	: >"$list"
	for p in "${module_paths[@]}"; do
		b=${p##*/}
		case $b in
		*.ko.xz) xz -dc "$moddir/$p" >"$dest/${b%.xz}"; b=${b%.xz} ;;
		*.ko.zst) zstd -qdc "$moddir/$p" >"$dest/${b%.zst}"; b=${b%.zst} ;;
		*.ko.gz) gzip -dc "$moddir/$p" >"$dest/${b%.gz}"; b=${b%.gz} ;;
		*) cp "$moddir/$p" "$dest/$b" ;;
		esac
		echo "/lib/modules/$b" >>"$list"
	done
}

# initramfs_pack STAGE OUT LEVEL: a newc cpio of STAGE, gzip -LEVEL, with
# fixed mtimes, owners and order (same inputs, same bytes), written
# atomically to OUT.
initramfs_pack() {
	local stage=$1 out=$2 level=$3
	find "$stage" -exec touch -h -d @0 {} +
	(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc --reproducible -R 0:0 --quiet) | gzip "-${level}n" >"$out.tmp"
	mv "$out.tmp" "$out"
}
