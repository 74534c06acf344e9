/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* initrd/plan/credentials.c against a sysfs tree made here: which source wins, base64, opt-out. */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "credentials.h"
#include "fileio.h"
#include "test.h"

static char root[] = "/tmp/test-credentials.XXXXXX";

static void put(const char *rel, const void *data, size_t size) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", root, rel);
        ASSERT_EQ(mkdir_parents(path, 0755), 0);
        FILE *f = fopen(path, "we");
        ASSERT_TRUE(f);
        ASSERT_EQ(fwrite(data, 1, size, f), size);
        ASSERT_EQ(fclose(f), 0);
}

/* A type 11 structure with one string. */
static void put_smbios(unsigned index, const char *string) {
        char rel[64];
        uint8_t buf[512] = { 11, 5, 0, 0, 1 };
        size_t l = strlen(string) + 1;
        memcpy(buf + 5, string, l);
        buf[5 + l] = 0;
        snprintf(rel, sizeof rel, "firmware/dmi/entries/11-%u/raw", index);
        put(rel, buf, 5 + l + 1);
}

static void expect(const char *cmdline, const char *value, const char *source) {
        char *v = NULL;
        const char *src = (const char *) 1;
        size_t size = 0;
        int r = credential_read("import.pull", cmdline, root, &v, &size, &src);
        if (!value) {
                ASSERT_EQ(r, 0);
                ASSERT_TRUE(!v && !src);
                return;
        }
        ASSERT_EQ(r, 1);
        ASSERT_STREQ(v, value);
        ASSERT_EQ(size, strlen(value));
        ASSERT_STREQ(src, source);
        free(v);
}

static void cleanup(void) {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
        if (system(cmd) != 0)
                fprintf(stderr, "cannot remove %s\n", root);
}

int main(void) {
        ASSERT_TRUE(mkdtemp(root));
        atexit(cleanup);
        unsetenv("CREDENTIALS_DIRECTORY");

        const char *cmdline = "quiet systemd.set_credential=import.pull:from-cmdline";
        expect("quiet", NULL, NULL);
        expect(cmdline, "from-cmdline", "the kernel command line");
        expect("systemd.set_credential_binary=import.pull:cmF3Cg==", "raw\n", "the kernel command line");
        /* bad base64 is ignored, as systemd ignores it */
        expect("systemd.set_credential_binary=import.pull:!!!", NULL, NULL);

        /* SMBIOS beats the command line; a malformed structure and other strings are skipped */
        put("firmware/dmi/entries/11-0/raw", "\x01\x05\0\0\0\0\0", 7);
        put_smbios(1, "io.systemd.credential:other=x");
        put_smbios(2, "io.systemd.credential:import.pull=from-smbios");
        put_smbios(3, "io.systemd.credential:import.pull=later-structure");
        expect(cmdline, "from-smbios", "SMBIOS type 11");
        put_smbios(2, "io.systemd.credential.binary:import.pull=bGluZTEKbGluZTIK");
        expect(cmdline, "line1\nline2\n", "SMBIOS type 11");

        /* fw_cfg beats SMBIOS */
        put("firmware/qemu_fw_cfg/by_name/opt/io.systemd.credentials/import.pull/raw", "from-fwcfg\n", 11);
        expect(cmdline, "from-fwcfg\n", "QEMU fw_cfg");

        /* systemd.import_credentials=no (also as rd.) turns every source off */
        expect("systemd.import_credentials=no systemd.set_credential=import.pull:x", NULL, NULL);
        expect("rd.systemd.import_credentials=0", NULL, NULL);
        expect("systemd.import_credentials=yes", "from-fwcfg\n", "QEMU fw_cfg");

        /* with $CREDENTIALS_DIRECTORY set, only that directory counts */
        char dir[512];
        snprintf(dir, sizeof dir, "%s/creds", root);
        put("creds/other", "x", 1);
        ASSERT_EQ(setenv("CREDENTIALS_DIRECTORY", dir, 1), 0);
        expect(cmdline, NULL, NULL);
        put("creds/import.pull", "from-dir", 8);
        expect(cmdline, "from-dir", "$CREDENTIALS_DIRECTORY");

        printf("credentials-read: all tests passed\n");
        return 0;
}
