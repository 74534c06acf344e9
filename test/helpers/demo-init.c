/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /sbin/init of the demo and e2e root images: proves that the pulled image became the root by
 * printing a banner with the URL the UKI was booted from (read back from the variables the stub
 * wrote) and the root device, then powers off. Static, so the image needs nothing else.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOADER_GUID "4a67b082-0a4c-41cf-b6c7-440b29bb8c4f"
#define EFIVARS "/sys/firmware/efi/efivars"

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

int main(void) {
        char url[1024] = "(none)", root[512] = "?";

        /* pullboot's initrd moves /proc, /sys, /dev and /run into the new root; mount what is
         * missing so this also works after other initrds. */
        mkdir("/proc", 0755);
        mkdir("/sys", 0755);
        mount("proc", "/proc", "proc", 0, NULL);
        mount("sysfs", "/sys", "sysfs", 0, NULL);
        mount("efivarfs", EFIVARS, "efivarfs", 0, NULL);

        if (read_url_var("StubDeviceURL", url, sizeof url) < 0)
                snprintf(url, sizeof url, "(no StubDeviceURL)");

        /* The source of the root mount, from the kernel's view. */
        FILE *f = fopen("/proc/self/mountinfo", "re");
        if (f) {
                char line[1024];
                while (fgets(line, sizeof line, f)) {
                        char mnt[256], src[256];
                        const char *sep = strstr(line, " - ");
                        if (sscanf(line, "%*s %*s %*s %*s %255s", mnt) == 1 && strcmp(mnt, "/") == 0 && sep &&
                            sscanf(sep + 3, "%*s %255s", src) == 1)
                                snprintf(root, sizeof root, "%s", src);
                }
                fclose(f);
        }
        char osname[256];
        read_line("/etc/demo-release", osname, sizeof osname);

        printf("\npullboot demo: init ran from %s (root %s) booted from %s\n", osname[0] ? osname : "the pulled image",
               root, url);
        fflush(stdout);
        sync();
        reboot(RB_POWER_OFF);
        return 0;
}
