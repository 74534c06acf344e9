#!/bin/bash
# Build nbdkit's server, curl plugin and readahead/cache filters from an
# upstream source tree without autotools, for bench/lazy-engines/run.
#
# On a normal machine do not use this: `apt install nbdkit` gives the same
# programs (Debian 12 ships nbdkit 1.32.5) and the bench then finds
# /usr/sbin/nbdkit and /usr/lib/<triplet>/nbdkit/{plugins,filters}.  This
# script exists for hosts that cannot install packages but hold nbdkit's
# git history or a release tarball.
#
# Usage: build-nbdkit.sh SRC [OUT]
#   SRC  an nbdkit source directory (release tarball extracted, or
#        `git archive v1.32.5 | tar -x`), or a bare git repository: then
#        tag v1.32.5 is exported first.
#   OUT  output directory (default /var/tmp/pullboot-nbdkit-1.32.5).
# Prints OUT on success; OUT/nbdkit, OUT/plugins/nbdkit-curl-plugin.so,
# OUT/filters/nbdkit-{readahead,cache}-filter.so.
# Exit codes: 0 built (or already built), 1 usage or build error.
#
# The configure results are written by hand into config.h for a glibc
# Linux host (Debian 12): every optional header/function configure.ac
# probes that glibc has.  No TLS (gnutls) and no SELinux: the bench serves
# over a local Unix socket.  nbdkit's sources are never copied into
# pullboot's tree, only compiled from SRC into OUT.
set -euo pipefail

usage() { sed -n '2,20s/^# \{0,1\}//p' "$0"; }
case "${1:-}" in -h|--help) usage; exit 0 ;; "") usage >&2; exit 1 ;; esac
src=$1
out=${2:-/var/tmp/pullboot-nbdkit-1.32.5}
tag=v1.32.5

if [ -x "$out/nbdkit" ] && [ -f "$out/plugins/nbdkit-curl-plugin.so" ] &&
   [ -f "$out/filters/nbdkit-cache-filter.so" ] &&
   [ -f "$out/filters/nbdkit-readahead-filter.so" ]; then
	echo "$out"; exit 0
fi
pkg-config --exists libcurl ||
	{ echo "build-nbdkit: libcurl development files missing (libcurl4-openssl-dev or libcurl4-gnutls-dev)" >&2; exit 1; }

mkdir -p "$out"
if [ -d "$src/objects" ] && [ -f "$src/HEAD" ]; then
	rm -rf "$out/src"; mkdir -p "$out/src"
	git -C "$src" archive "$tag" | tar -x -C "$out/src"
	src=$out/src
fi
[ -f "$src/server/main.c" ] && [ -f "$src/plugins/curl/curl.c" ] ||
	{ echo "build-nbdkit: $src is not an nbdkit source tree" >&2; exit 1; }
src=$(cd "$src" && pwd)
ver=$(sed -n 's/^m4_define(\[NBDKIT_VERSION_\(MAJOR\|MINOR\|MICRO\)\], *\[\([0-9]*\)\]).*/\2/p' "$src/configure.ac" | paste -sd.)
[ -n "$ver" ] || ver=1.32.5
IFS=. read -r vmaj vmin vmic <<<"$ver"

gen=$out/gen
mkdir -p "$gen" "$out/obj" "$out/plugins" "$out/filters"

# What configure would find on glibc Linux.
{
	echo '/* Hand-written for glibc Linux by pullboot build-nbdkit.sh */'
	echo '#define _GNU_SOURCE 1'
	echo "#define PACKAGE_VERSION \"$ver\""
	echo "#define PACKAGE_NAME \"nbdkit\""
	echo "#define PACKAGE_STRING \"nbdkit $ver\""
	echo '#define NBDKIT_VERSION_EXTRA "pullboot-bench"'
	echo "#define host_cpu \"$(uname -m)\""
	echo '#define host_os "linux-gnu"'
	echo '#define LARGE_TMPDIR "/var/tmp"'
	echo '#define SOEXT "so"'
	echo '#define EXEEXT ""'
	echo '#define DIR_SEPARATOR_STR "/"'
	echo '#define SIZEOF_PID_T 4'
	echo '#define SIZEOF_UID_T 4'
	echo '#define SIZEOF_GID_T 4'
	echo '#define HAVE_DECL___BUILTIN_ADD_OVERFLOW 1'
	echo '#define HAVE_DECL___BUILTIN_MUL_OVERFLOW 1'
	echo '#define HAVE_DECL_PROGRAM_INVOCATION_SHORT_NAME 1'
	echo '#define HAVE_AUTO_TYPE 1'
	echo '#define HAVE_ENVIRON_DECL 1'
	echo '#define HAVE_VFPRINTF_PERCENT_M 1'
	echo '#define HAVE_STRUCT_DIRENT_D_TYPE 1'
	echo '#define HAVE_STRUCT_UCRED_UID 1'
	echo '#define HAVE_CURL 1'
	echo '#define HAVE_CURLOPT_UNIX_SOCKET_PATH 1'
	echo '#define HAVE_DLADDR 1'
	for h in ALLOCA_H ARPA_INET_H BYTESWAP_H ENDIAN_H GRP_H LINUX_FS_H NETDB_H \
	         NETINET_IN_H NETINET_TCP_H PWD_H TERMIOS_H STDATOMIC_H SYSLOG_H \
	         SYS_IOCTL_H SYS_MMAN_H SYS_PRCTL_H SYS_SOCKET_H SYS_STATVFS_H \
	         SYS_UN_H SYS_WAIT_H LINUX_VM_SOCKETS_H \
	         ACCEPT4 FDATASYNC FLOCKFILE FUNLOCKFILE INET_NTOP INET_PTON MKOSTEMP \
	         MLOCK MLOCKALL MUNLOCK OPEN_MEMSTREAM PIPE PIPE2 PPOLL POSIX_FADVISE \
	         POSIX_MEMALIGN VALLOC FSYNC GET_CURRENT_DIR_NAME GETDELIM GETLINE \
	         OPENLOG POLL PREAD PWRITE REALPATH STRNDUP SYSCONF SYSLOG VSYSLOG; do
		echo "#define HAVE_$h 1"
	done
} >"$gen/config.h.t"
cmp -s "$gen/config.h.t" "$gen/config.h" 2>/dev/null || mv "$gen/config.h.t" "$gen/config.h"
rm -f "$gen/config.h.t"

sed -e "s/@NBDKIT_VERSION_MAJOR@/$vmaj/" -e "s/@NBDKIT_VERSION_MINOR@/$vmin/" \
    -e "s/@NBDKIT_VERSION_MICRO@/$vmic/" "$src/include/nbdkit-version.h.in" >"$gen/nbdkit-version.h"
sed -e 's/"/\\"/g' -e 's/\(.*\)/"\1\\n"/g' "$src/docs/synopsis.txt" >"$gen/synopsis.c"
# protostrings.c: the generator script is bash with @SED@ to substitute.
sed -e 's/@SED@/sed/g' "$src/common/protocol/generate-protostrings.sh.in" >"$gen/generate-protostrings.sh"
(cd "$src/common/protocol" && bash "$gen/generate-protostrings.sh") >"$gen/protostrings.c"
# windows-errors.c only matters on Windows; an empty translation unit is what it compiles to here.
printf '/* empty: not Windows */\nextern int pullboot_nbdkit_windows_errors_unused;\n' >"$gen/windows-errors.c"

cc=${CC:-gcc}
cflags=(-O2 -g -w -pthread -fPIC -include "$gen/config.h"
	-I"$gen" -I"$src/include" -I"$src/common/include" -I"$src/common/protocol"
	-I"$src/common/replacements" -I"$src/common/utils" -I"$src/common/bitmap"
	-Dbindir=\"/usr/bin\" -Dlibdir=\"/usr/lib\" -Dmandir=\"/usr/share/man\"
	-Dplugindir=\"$out/plugins\" -Dfilterdir=\"$out/filters\"
	-Dsbindir=\"/usr/sbin\" -Dsysconfdir=\"/etc\")

compile() { # compile OBJDIR SRC...: echoes object paths
	local od=$out/obj/$1; shift; mkdir -p "$od"
	local f o
	for f; do
		o=$od/$(basename "${f%.c}").o
		if [ ! -f "$o" ] || [ "$f" -nt "$o" ]; then
			"$cc" "${cflags[@]}" $(pkg-config --cflags libcurl) -c "$f" -o "$o" >&2
		fi
		echo "$o"
	done
}

s=$src/server
mapfile -t server_o < <(compile server \
	$s/backend.c $s/background.c $s/captive.c $s/connections.c $s/crypto.c \
	$s/debug.c $s/debug-flags.c $s/exports.c $s/extents.c $s/filters.c \
	$s/locks.c $s/log.c $s/log-stderr.c $s/log-syslog.c $s/plugins.c \
	$s/protocol.c $s/protocol-handshake.c $s/protocol-handshake-oldstyle.c \
	$s/protocol-handshake-newstyle.c $s/public.c $s/quit.c $s/signals.c \
	$s/socket-activation.c $s/sockets.c $s/threadlocal.c $s/usergroup.c \
	$s/vfprintf.c)
# main.c #includes synopsis.c from its own directory's include path.
mapfile -t main_o < <(cflags+=(-I"$gen"); compile server "$s/main.c")
u=$src/common/utils
mapfile -t utils_o < <(compile utils $u/cleanup.c $u/cleanup-nbdkit.c $u/environ.c \
	$u/exit-with-parent.c $u/full-rw.c $u/quote.c $u/utils.c $u/vector.c \
	$u/windows-compat.c "$gen/windows-errors.c")
mapfile -t proto_o < <(cflags+=(-I"$src/common/protocol"); compile protocol "$gen/protostrings.c")
mapfile -t bitmap_o < <(compile bitmap "$src/common/bitmap/bitmap.c")

"$cc" -pthread -rdynamic -o "$out/nbdkit" "${main_o[@]}" "${server_o[@]}" \
	"${proto_o[@]}" "${utils_o[@]}" -Wl,--version-script="$s/nbdkit.syms" -ldl

mapfile -t curl_o < <(compile curl "$src/plugins/curl/scripts.c" "$src/plugins/curl/curl.c")
"$cc" -shared -pthread -o "$out/plugins/nbdkit-curl-plugin.so" "${curl_o[@]}" "${utils_o[@]}" \
	-Wl,--version-script="$src/plugins/plugins.syms" $(pkg-config --libs libcurl)

f=$src/filters
mapfile -t ra_o < <(compile readahead "$f/readahead/readahead.c" "$f/readahead/bgthread.c")
"$cc" -shared -pthread -o "$out/filters/nbdkit-readahead-filter.so" "${ra_o[@]}" "${utils_o[@]}" \
	-Wl,--version-script="$f/filters.syms"
mapfile -t cache_o < <(compile cache "$f/cache/blk.c" "$f/cache/cache.c" "$f/cache/lru.c" "$f/cache/reclaim.c")
"$cc" -shared -pthread -o "$out/filters/nbdkit-cache-filter.so" "${cache_o[@]}" "${bitmap_o[@]}" \
	"${utils_o[@]}" -Wl,--version-script="$f/filters.syms"

"$out/nbdkit" --version >/dev/null
echo "$out"
