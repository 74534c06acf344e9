/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /sbin/init of the demo and e2e root images: proves that the pulled image became the root by
 * printing a banner with the URL the UKI was booted from (read back from the variable the stub
 * wrote) and the root device, then powers off. Static, so the image needs nothing else.
 *
 *   pullboot demo: init ran from NAME (root DEV) booted from URL
 *   pullboot demo: network IFNAME MAC
 *   pullboot demo: interfaces IFNAME=MAC...
 *   pullboot demo: secure boot enabled|disabled|unknown
 *
 * NAME is /etc/demo-release. The network lines name the interface of the default route (the one
 * the initrd configured) and all interfaces the kernel sees, for the two-NIC scenario. If /etc/demo-hook is executable it runs with
 * the URL as its argument before the power-off (the seed-loop scenario reboots from there).
 *
 * When the kernel command line has systemd.volatile or pullboot.overlay, it also reports where
 * writes go, for the volatile-root scenarios:
 *
 *   pullboot demo: mount / overlay rw            (type and ro/rw of /, /usr, /var; "none" if not
 *                                                 a mount point)
 *   pullboot demo: / had|lacked the file before  (written by an earlier boot: a persistent upper)
 *   pullboot demo: write / ok|ERROR              (a file created in / and in /var)
 *   pullboot demo: overlay upper DIR has|lacks the file written to /  (for each upper present)
 *   pullboot demo: loopN ro=0|1 rewrite ok|ERROR sha256 HEX of FILE
 *
 * the last line for each loop device in use: whether its first 4 KiB can be written back (the
 * same bytes, so even a writable device keeps its contents) and the SHA-256 of its backing file
 * (what the initrd pulled), read after all writes.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define LOADER_GUID "4a67b082-0a4c-41cf-b6c7-440b29bb8c4f"
#define EFIVARS "/sys/firmware/efi/efivars"
#define HOOK "/etc/demo-hook"
#define GLOBAL_GUID "8be4df61-93ca-11d2-aa0d-00e098032b8c"

/* Reads a UTF-16LE variable (after the 4-byte attributes) as ASCII. */
static int read_url_var(const char *name, char *buf, size_t size) {
        char path[256];
        unsigned char raw[4096];

        snprintf(path, sizeof path, EFIVARS "/%s-" LOADER_GUID, name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        ssize_t n = read(fd, raw, sizeof raw);
        close(fd);
        if (n < 6)
                return -EIO;
        size_t j = 0;
        for (ssize_t i = 4; i + 1 < n && j + 1 < size; i += 2) {
                unsigned c = raw[i] | (raw[i + 1] << 8);
                if (c == 0)
                        break;
                buf[j++] = c < 0x80 ? (char) c : '?';
        }
        buf[j] = 0;
        return 0;
}

static void read_line(const char *path, char *buf, size_t size) {
        buf[0] = 0;
        FILE *f = fopen(path, "re");
        if (!f)
                return;
        if (fgets(buf, (int) size, f))
                buf[strcspn(buf, "\n")] = 0;
        fclose(f);
}

/* The source of the root mount, as the kernel sees it. */
static void root_source(char *buf, size_t size) {
        char line[1024];

        snprintf(buf, size, "?");
        FILE *f = fopen("/proc/self/mountinfo", "re");
        if (!f)
                return;
        while (fgets(line, sizeof line, f)) {
                char mnt[256], src[256];
                const char *sep = strstr(line, " - ");
                /* The last match wins: mounts stacked on / come later. */
                if (sscanf(line, "%*s %*s %*s %*s %255s", mnt) == 1 && strcmp(mnt, "/") == 0 && sep &&
                    sscanf(sep + 3, "%*s %255s", src) == 1)
                        snprintf(buf, size, "%s", src);
        }
        fclose(f);
}

/* The interface of the IPv4 default route and its MAC address, or "none". */
static void default_route(char *ifname, size_t ifsize, char *mac, size_t macsize) {
        char line[512];

        snprintf(ifname, ifsize, "none");
        snprintf(mac, macsize, "-");
        FILE *f = fopen("/proc/net/route", "re");
        if (!f)
                return;
        while (fgets(line, sizeof line, f)) {
                char name[64];
                unsigned long dest, mask;
                if (sscanf(line, "%63s %lx %*x %*x %*d %*d %*d %lx", name, &dest, &mask) == 3 && dest == 0 &&
                    mask == 0) {
                        snprintf(ifname, ifsize, "%s", name);
                        break;
                }
        }
        fclose(f);
        if (strcmp(ifname, "none") != 0) {
                char path[128];
                snprintf(path, sizeof path, "/sys/class/net/%s/address", ifname);
                read_line(path, mac, macsize);
        }
}

static const char *secure_boot_state(void) {
        unsigned char raw[8];

        int fd = open(EFIVARS "/SecureBoot-" GLOBAL_GUID, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return "unknown";
        ssize_t n = read(fd, raw, sizeof raw);
        close(fd);
        if (n != 5)
                return "unknown";
        return raw[4] == 1 ? "enabled" : "disabled";
}

static void print_interfaces(void) {
        DIR *d = opendir("/sys/class/net");
        struct dirent *de;

        printf("pullboot demo: interfaces");
        while (d && (de = readdir(d))) {
                char path[300], mac[64];
                if (de->d_name[0] == '.' || strcmp(de->d_name, "lo") == 0)
                        continue;
                snprintf(path, sizeof path, "/sys/class/net/%s/address", de->d_name);
                read_line(path, mac, sizeof mac);
                printf(" %s=%s", de->d_name, mac);
        }
        printf("\n");
        if (d)
                closedir(d);
}

static void run_hook(const char *url) {
        if (access(HOOK, X_OK) < 0)
                return;
        pid_t pid = fork();
        if (pid < 0) {
                printf("pullboot demo: cannot run " HOOK ": %s\n", strerror(errno));
                return;
        }
        if (pid == 0) {
                execl(HOOK, HOOK, url, (char *) NULL);
                printf("pullboot demo: cannot run " HOOK ": %s\n", strerror(errno));
                _exit(127);
        }
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        printf("pullboot demo: hook exited with status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* SHA-256 (FIPS 180-4), small and slow: the image has no tools to do it. */
struct sha256 {
        uint32_t h[8];
        uint8_t buf[64];
        size_t n;
        uint64_t total;
};

static const uint32_t sha256_k[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror(uint32_t x, unsigned n) {
        return (x >> n) | (x << (32 - n));
}

static void sha256_block(struct sha256 *c, const uint8_t *p) {
        uint32_t w[64], v[8];

        for (int i = 0; i < 16; i++)
                w[i] = (uint32_t) p[4 * i] << 24 | (uint32_t) p[4 * i + 1] << 16 | (uint32_t) p[4 * i + 2] << 8 | p[4 * i + 3];
        for (int i = 16; i < 64; i++) {
                uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
                uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
                w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        memcpy(v, c->h, sizeof v);
        for (int i = 0; i < 64; i++) {
                uint32_t t1 = v[7] + (ror(v[4], 6) ^ ror(v[4], 11) ^ ror(v[4], 25)) + ((v[4] & v[5]) ^ (~v[4] & v[6])) +
                              sha256_k[i] + w[i];
                uint32_t t2 = (ror(v[0], 2) ^ ror(v[0], 13) ^ ror(v[0], 22)) + ((v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]));
                memmove(v + 1, v, 7 * sizeof v[0]);
                v[4] += t1;
                v[0] = t1 + t2;
        }
        for (int i = 0; i < 8; i++)
                c->h[i] += v[i];
}

static void sha256_init(struct sha256 *c) {
        static const uint32_t h0[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
        memset(c, 0, sizeof *c);
        memcpy(c->h, h0, sizeof h0);
}

static void sha256_update(struct sha256 *c, const uint8_t *p, size_t n) {
        c->total += n;
        while (n > 0) {
                size_t k = 64 - c->n < n ? 64 - c->n : n;
                memcpy(c->buf + c->n, p, k);
                c->n += k, p += k, n -= k;
                if (c->n == 64) {
                        sha256_block(c, c->buf);
                        c->n = 0;
                }
        }
}

static void sha256_hex(struct sha256 *c, char out[65]) {
        uint64_t bits = c->total * 8;
        uint8_t pad = 0x80, len[8];

        sha256_update(c, &pad, 1);
        pad = 0;
        while (c->n != 56)
                sha256_update(c, &pad, 1);
        for (int i = 0; i < 8; i++)
                len[i] = (uint8_t) (bits >> (56 - 8 * i));
        sha256_update(c, len, 8);
        for (int i = 0; i < 8; i++)
                snprintf(out + 8 * i, 9, "%08x", c->h[i]);
}

static int sha256_file(const char *path, char out[65]) {
        static uint8_t buf[1 << 16];
        struct sha256 c;
        ssize_t n;

        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        sha256_init(&c);
        while ((n = read(fd, buf, sizeof buf)) > 0)
                sha256_update(&c, buf, (size_t) n);
        close(fd);
        if (n < 0)
                return -EIO;
        sha256_hex(&c, out);
        return 0;
}

/* The type and ro/rw of the topmost mount on path, from /proc/self/mountinfo. */
static void print_mount(const char *path) {
        char line[2048], type[64] = "none", mode[8] = "";
        FILE *f = fopen("/proc/self/mountinfo", "re");

        while (f && fgets(line, sizeof line, f)) {
                char mnt[256], opts[512], fstype[64];
                const char *sep = strstr(line, " - ");
                if (sep && sscanf(line, "%*s %*s %*s %*s %255s %511s", mnt, opts) == 2 && strcmp(mnt, path) == 0 &&
                    sscanf(sep + 3, "%63s", fstype) == 1) {
                        snprintf(type, sizeof type, "%s", fstype);
                        snprintf(mode, sizeof mode, "%s", strncmp(opts, "ro", 2) == 0 && (opts[2] == ',' || !opts[2]) ? "ro" : "rw");
                }
        }
        if (f)
                fclose(f);
        printf("pullboot demo: mount %s %s%s%s\n", path, type, mode[0] ? " " : "", mode);
}

static void try_write(const char *dir) {
        char path[256];
        snprintf(path, sizeof path, "%s/pullboot-demo-write", strcmp(dir, "/") == 0 ? "" : dir);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || write(fd, "written after switch_root\n", 26) != 26 || fsync(fd) < 0) {
                printf("pullboot demo: write %s %s\n", dir, strerror(errno));
                if (fd >= 0)
                        close(fd);
                return;
        }
        close(fd);
        printf("pullboot demo: write %s ok\n", dir);
}

static void print_loops(void) {
        DIR *d = opendir("/sys/block");
        struct dirent *de;

        while (d && (de = readdir(d))) {
                char path[300], size[32], ro[8], backing[512], dev[300], hex[65] = "";
                if (strncmp(de->d_name, "loop", 4) != 0)
                        continue;
                snprintf(path, sizeof path, "/sys/block/%s/size", de->d_name);
                read_line(path, size, sizeof size);
                if (atoll(size) == 0)
                        continue;
                snprintf(path, sizeof path, "/sys/block/%s/ro", de->d_name);
                read_line(path, ro, sizeof ro);
                snprintf(path, sizeof path, "/sys/block/%s/loop/backing_file", de->d_name);
                read_line(path, backing, sizeof backing);
                snprintf(dev, sizeof dev, "/dev/%s", de->d_name);
                /* Opening a read-only device for writing succeeds; the write is what it refuses. */
                char first[4096];
                const char *wr = "ok";
                int fd = open(dev, O_RDWR | O_CLOEXEC);
                if (fd < 0 || pread(fd, first, sizeof first, 0) != (ssize_t) sizeof first ||
                    pwrite(fd, first, sizeof first, 0) != (ssize_t) sizeof first || fsync(fd) < 0)
                        wr = strerror(errno);
                if (fd >= 0)
                        close(fd);
                /* The file the initrd attached, read now: what the booted system did to it. */
                int r = sha256_file(backing, hex);
                printf("pullboot demo: %s ro=%s rewrite %s sha256 %s of %s\n", de->d_name, ro, wr,
                       r < 0 ? "-" : hex, backing);
        }
        if (d)
                closedir(d);
}

static void report_volatile(void) {
        char cmdline[4096];

        read_line("/proc/cmdline", cmdline, sizeof cmdline);
        if (!strstr(cmdline, "systemd.volatile") && !strstr(cmdline, "pullboot.overlay"))
                return;
        print_mount("/");
        print_mount("/usr");
        print_mount("/var");
        static const char *const uppers[] = { "/run/systemd/overlay-sysroot/upper", "/run/pullboot/overlay-upper/upper" };
        printf("pullboot demo: / %s the file before\n", access("/pullboot-demo-write", F_OK) == 0 ? "had" : "lacked");
        try_write("/");
        try_write("/var");
        for (size_t i = 0; i < sizeof uppers / sizeof uppers[0]; i++) {
                char path[300];
                snprintf(path, sizeof path, "%s/pullboot-demo-write", uppers[i]);
                if (access(uppers[i], F_OK) == 0)
                        printf("pullboot demo: overlay upper %s %s the file written to /\n", uppers[i],
                               access(path, F_OK) == 0 ? "has" : "lacks");
        }
        sync();
        print_loops();
}

int main(void) {
        char url[1024], root[512], osname[256], ifname[64], mac[64];

        /* pullboot's initrd moves /proc, /sys, /dev and /run into the new root; mount what is
         * missing so this also works after other initrds (EBUSY then is fine). */
        mkdir("/proc", 0755);
        mkdir("/sys", 0755);
        mount("proc", "/proc", "proc", 0, NULL);
        mount("sysfs", "/sys", "sysfs", 0, NULL);
        mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
        mount("efivarfs", EFIVARS, "efivarfs", 0, NULL);

        if (read_url_var("StubDeviceURL", url, sizeof url) < 0)
                snprintf(url, sizeof url, "(no StubDeviceURL)");
        root_source(root, sizeof root);
        read_line("/etc/demo-release", osname, sizeof osname);
        default_route(ifname, sizeof ifname, mac, sizeof mac);

        printf("\npullboot demo: init ran from %s (root %s) booted from %s\n", osname[0] ? osname : "the pulled image",
               root, url);
        printf("pullboot demo: network %s %s\n", ifname, mac);
        print_interfaces();
        printf("pullboot demo: secure boot %s\n", secure_boot_state());
        fflush(stdout);
        report_volatile();
        fflush(stdout);

        run_hook(url);
        fflush(stdout);
        sync();
        reboot(RB_POWER_OFF);
        return 0;
}
