# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared by the pull integration tests: servers on 127.0.0.1, test images, assertions.
# Expects PULLBOOT and FAULTSERVER in the environment (meson sets them).

set -eu

: "${PULLBOOT:?PULLBOOT must point to the pullboot binary}"
T=$(mktemp -d /var/tmp/pullboot-test.XXXXXX)
PIDS=""
FAILS=0

cleanup() {
        for p in $PIDS; do kill "$p" 2>/dev/null || true; done
        for p in $PIDS; do wait "$p" 2>/dev/null || true; done
        if mountpoint -q "$T/mnt" 2>/dev/null; then umount "$T/mnt" || true; fi
        rm -rf "$T"
}
trap cleanup EXIT

skip() { echo "SKIP: $*"; exit 77; }
need_root() { [ "$(id -u)" = 0 ] || skip "needs root ($*)"; }
need_tool() { command -v "$1" >/dev/null 2>&1 || skip "needs $1"; }

fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
ok() { echo "ok: $*"; }
finish() {
        if [ "$FAILS" -gt 0 ]; then echo "$FAILS check(s) failed"; exit 1; fi
        echo "all checks passed"
}

# Starts nginx (Debian's) serving $1 on 127.0.0.1 and ::1; sets NGINX_PORT and NGINX_URL.
start_nginx() {
        need_tool nginx
        local root=$1 d="$T/nginx" tries=0 v6=""
        mkdir -p "$d/tmp"
        if ip -6 addr show lo 2>/dev/null | grep -q '::1'; then v6=yes; fi
        while :; do
                NGINX_PORT=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000 ))
                cat > "$d/nginx.conf" <<EOC
daemon off;
master_process off;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log;
events { worker_connections 256; }
http {
        access_log $d/access.log;
        client_body_temp_path $d/tmp/body;
        proxy_temp_path $d/tmp/proxy;
        fastcgi_temp_path $d/tmp/fastcgi;
        uwsgi_temp_path $d/tmp/uwsgi;
        scgi_temp_path $d/tmp/scgi;
        default_type application/octet-stream;
        sendfile on;
        server {
                listen 127.0.0.1:$NGINX_PORT;
                ${v6:+listen [::1]:$NGINX_PORT;}
                root $root;
                location /redirect/ { rewrite ^/redirect/(.*)\$ /\$1 redirect; }
        }
}
EOC
                nginx -e "$d/error.log" -c "$d/nginx.conf" -p "$d" &
                local pid=$!
                local i=0
                while [ $i -lt 50 ]; do
                        if curl -s -o /dev/null "http://127.0.0.1:$NGINX_PORT/"; then break; fi
                        if ! kill -0 $pid 2>/dev/null; then break; fi
                        sleep 0.1; i=$((i + 1))
                done
                if kill -0 $pid 2>/dev/null && curl -s -o /dev/null "http://127.0.0.1:$NGINX_PORT/"; then
                        PIDS="$PIDS $pid"
                        break
                fi
                kill $pid 2>/dev/null || true
                tries=$((tries + 1))
                [ $tries -lt 5 ] || { cat "$d/error.log"; echo "cannot start nginx"; exit 1; }
        done
        NGINX_V6=$v6
        NGINX_URL="http://127.0.0.1:$NGINX_PORT"
}

# Starts the fault server for $1; sets FS_PORT and FS_URL.
start_faultserver() {
        : "${FAULTSERVER:?FAULTSERVER must point to the faultserver binary}"
        rm -f "$T/fs.port"
        "$FAULTSERVER" --root "$1" --port-file "$T/fs.port" --seed "${SEED:-1}" --log "$T/fs.log" >/dev/null &
        PIDS="$PIDS $!"
        local i=0
        while [ ! -s "$T/fs.port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
        FS_PORT=$(cat "$T/fs.port")
        FS_URL="http://127.0.0.1:$FS_PORT"
}

# A raw "disk image": random data, long zero runs and text, about $2 MiB (default 8).
make_raw_image() {
        local out=$1 mib=${2:-8}
        : > "$out"
        local i=0
        while [ $i -lt "$mib" ]; do
                case $((i % 4)) in
                0) head -c 700000 /dev/urandom >> "$out"; head -c 348576 /dev/zero >> "$out" ;;
                1) head -c 1048576 /dev/zero >> "$out" ;;
                2) seq 1 150000 | head -c 1048576 >> "$out" ;;
                3) head -c 1000 /dev/urandom >> "$out"; head -c 1047576 /dev/zero >> "$out" ;;
                esac
                i=$((i + 1))
        done
        # An odd tail, so the size is no multiple of any block size.
        head -c 1234 /dev/urandom >> "$out"
}

# A small root file system with everything a tar pull must preserve.
make_tree() {
        local d=$1
        mkdir -p "$d/etc" "$d/usr/bin" "$d/usr/lib" "$d/var/empty" "$d/tmp" "$d/dev" "$d/home/user" "$d/srv"
        head -c 300000 /dev/urandom > "$d/usr/bin/busybox"
        chmod 4755 "$d/usr/bin/busybox"
        ln -s busybox "$d/usr/bin/sh"
        ln -s /usr/share/zoneinfo/UTC "$d/etc/localtime"
        ln "$d/usr/bin/busybox" "$d/usr/bin/hardlinked"
        seq 1 20000 > "$d/usr/lib/data.txt"
        printf 'root:x:0:0::/root:/bin/sh\n' > "$d/etc/passwd"
        : > "$d/etc/empty-file"
        head -c 2000000 /dev/zero > "$d/srv/zeros"
        chmod 0700 "$d/var/empty"
        chmod 1777 "$d/tmp"
        chown 1000:1000 "$d/home/user"
        echo secret > "$d/home/user/file"
        chown 12345:54321 "$d/home/user/file"
        chmod 0640 "$d/home/user/file"
        mknod "$d/dev/null" c 1 3
        mknod "$d/dev/loop7" b 7 7
        mkfifo "$d/dev/fifo"
        if command -v setfattr >/dev/null; then
                setfattr -n user.pullboot -v hello "$d/etc/passwd"
                setfattr -n trusted.pullboot -v 0x00ff00 "$d/usr/lib/data.txt"
        fi
        if command -v setfacl >/dev/null; then
                setfacl -m u:4242:rwx,g:4343:r-x "$d/srv/zeros"
                setfacl -d -m u:4242:rwx "$d/srv"
        fi
        touch -d '2020-02-02 02:02:02' "$d/etc/passwd" "$d/usr/bin/busybox"
}

# One line per entry: what a root file system pull must reproduce exactly.
manifest() {
        python3 "$(dirname "$0")/manifest.py" "$1"
}

# Compresses $1 in format $2 into $1.EXT and prints the new name.
compress() {
        local f=$1
        case $2 in
        none) echo "$f" ;;
        xz) xz -T2 --block-size=1MiB -k -f -c "$f" > "$f.xz"; echo "$f.xz" ;;
        xz1) xz -T1 -k -f -c "$f" > "$f.1.xz"; echo "$f.1.xz" ;;
        xzcat) head -c 1500000 "$f" | xz -T2 --block-size=512KiB -c > "$f.cat.xz"
               tail -c +1500001 "$f" | xz -T1 -c >> "$f.cat.xz"; echo "$f.cat.xz" ;;
        zstd) zstd -q -f -c "$f" > "$f.zst"; echo "$f.zst" ;;
        gzip) gzip -c "$f" > "$f.gz"; echo "$f.gz" ;;
        bzip2) bzip2 -c "$f" > "$f.bz2"; echo "$f.bz2" ;;
        esac
}

# Asserts a failed pull: non-zero exit, no TARGET, no temporary left beside it, message matches.
expect_failure() {
        local what=$1 pattern=$2 target=$3; shift 3
        local rc=0
        "$@" > "$T/out.log" 2>&1 || rc=$?
        local dir; dir=$(dirname "$target")
        if [ $rc -eq 0 ]; then
                fail "$what: exit status 0"
        elif [ -e "$target" ] || [ -L "$target" ]; then
                fail "$what: $target exists after a failure"
        elif ls -A "$dir" | grep -q '^\.#pull\.'; then
                fail "$what: temporary left in $dir: $(ls -A "$dir")"
        elif ! grep -Eq "$pattern" "$T/out.log"; then
                fail "$what: message does not match /$pattern/:"; cat "$T/out.log"
        else
                ok "$what (exit $rc): $(grep -E "$pattern" "$T/out.log" | head -1)"
        fi
}
