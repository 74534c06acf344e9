/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bootcfg.h"
#include "fileio.h"
#include "firmware.h"
#include "log.h"
#include "macro.h"

#define OVMF_DIR "/usr/share/OVMF"
#define VARS_MAX (16u * 1024 * 1024)

int firmware_find(bool secure_boot, struct firmware *ret) {
        /* Debian's 4 MiB builds: the secboot one needs SMM; its snakeoil VARS have Secure Boot
         * enabled with a PK/KEK/db whose key is /usr/share/ovmf/PkKek-1-snakeoil.key. */
        struct firmware fw = {
                .code = secure_boot ? OVMF_DIR "/OVMF_CODE_4M.secboot.fd" : OVMF_DIR "/OVMF_CODE_4M.fd",
                .vars_template = secure_boot ? OVMF_DIR "/OVMF_VARS_4M.snakeoil.fd" : OVMF_DIR "/OVMF_VARS_4M.fd",
                .secure_boot = secure_boot,
        };
        const char *files[] = { fw.code, fw.vars_template };
        for (size_t i = 0; i < ELEMENTSOF(files); i++)
                if (access(files[i], R_OK) < 0) {
                        log_error("firmware file %s is missing; install Debian's 'ovmf' package", files[i]);
                        return -ENOENT;
                }
        *ret = fw;
        return 0;
}

int firmware_open_vars(const char *path, struct bootcfg_backend **ret) {
        int r = bootcfg_backend_varstore_new(path, ret);
        if (r < 0)
                return log_error_errno(r, "cannot open the variable store %s", path);
        return 0;
}

/* The same entry `pullboot-bootcfg --add-uri URL --title ... --boot-order 0` writes. */
static int add_boot_uri(const char *vars, const char *url) {
        struct bootcfg_backend *b = NULL;
        struct bootcfg c = {};
        _cleanup_free_ uint8_t *dp = NULL;
        size_t dp_size;
        const char *reason = NULL;
        uint16_t num;
        bool reused;
        int r;

        r = bootcfg_uri_device_path(url, &dp, &dp_size, &reason);
        if (r < 0)
                return log_error("cannot boot '%s': %s", url, reason ? reason : "invalid URL"), r;
        r = firmware_open_vars(vars, &b);
        if (r < 0)
                return r;
        r = bootcfg_load(&c, b);
        if (r >= 0)
                r = bootcfg_add(&c, "pullboot-vm HTTP boot", dp, dp_size, &num, &reused);
        if (r >= 0) {
                bootcfg_order_insert(&c, num, 0);
                r = bootcfg_save(&c, b);
        }
        if (r < 0)
                log_error_errno(r, "cannot add a boot entry for %s to %s", url, vars);
        bootcfg_done(&c);
        bootcfg_backend_free(b);
        return r < 0 ? r : 0;
}

int firmware_prepare_vars(const char *template, const char *path, const char *url) {
        _cleanup_free_ char *data = NULL;
        size_t size;
        int r;

        if (strcmp(template, path) != 0) {
                r = read_full_file(template, VARS_MAX, &data, &size);
                if (r < 0)
                        return log_error_errno(r, "cannot read the variable store template %s", template);
                r = write_file_atomic(path, data, size, 0600);
                if (r < 0)
                        return log_error_errno(r, "cannot write the VM's variable store %s", path);
        }
        if (url)
                return add_boot_uri(path, url);
        /* Nothing to add, but a damaged store must not reach the firmware either (refused, logged). */
        struct bootcfg_backend *b = NULL;
        r = bootcfg_backend_varstore_new(path, &b);
        if (r < 0)
                return log_error_errno(r, "cannot use the variable store %s", path);
        bootcfg_backend_free(b);
        return 0;
}
