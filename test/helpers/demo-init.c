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
 */
#include <dirent.h>
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

        run_hook(url);
        fflush(stdout);
        sync();
        reboot(RB_POWER_OFF);
        return 0;
}
