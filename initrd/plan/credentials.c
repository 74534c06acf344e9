/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "credential.h"
#include "credentials.h"
#include "fileio.h"
#include "log.h"
#include "macro.h"

/* Decodes base64 (line breaks allowed) with libcrypto into a NUL-terminated buffer. */
static int decode_base64(struct pb_span in, char **ret, size_t *ret_size) {
        _cleanup_free_ char *out = malloc(in.len / 4 * 3 + 4);
        EVP_ENCODE_CTX *ctx = EVP_ENCODE_CTX_new();
        int n = 0, m = 0;

        if (!out || !ctx || in.len > INT32_MAX) {
                EVP_ENCODE_CTX_free(ctx);
                return -ENOMEM;
        }
        EVP_DecodeInit(ctx);
        int r = EVP_DecodeUpdate(ctx, (unsigned char *) out, &n, (const unsigned char *) in.ptr, (int) in.len);
        if (r >= 0)
                r = EVP_DecodeFinal(ctx, (unsigned char *) out + n, &m);
        EVP_ENCODE_CTX_free(ctx);
        if (r < 0)
                return -EBADMSG;
        out[n + m] = 0;
        *ret_size = (size_t) (n + m);
        *ret = TAKE_PTR(out);
        return 0;
}

static int take_value(const struct pb_credential *c, const char *name, const char *source, char **ret,
                      size_t *ret_size) {
        /* The sources are bounded (SMBIOS entries are read up to 64 KiB, the command line is the
         * kernel's); the limit that counts is on the decoded value, below. */
        if (c->base64) {
                int r = decode_base64(c->value, ret, ret_size);
                if (r == -EBADMSG) {
                        log_warning("credential %s from %s is not valid base64, ignoring it", name, source);
                        return 0;
                }
                if (r < 0)
                        return log_error_errno(r, "cannot decode credential %s", name);
        } else {
                *ret = strndup(c->value.ptr, c->value.len);
                if (!*ret)
                        return log_error_errno(-ENOMEM, "cannot copy credential %s", name);
                *ret_size = c->value.len;
        }
        if (*ret_size > CREDENTIAL_SIZE_MAX) {
                log_warning("credential %s from %s is larger than %d bytes, ignoring it", name, source,
                            CREDENTIAL_SIZE_MAX);
                free(*ret);
                *ret = NULL;
                return 0;
        }
        return 1;
}

static int from_file(const char *path, char **ret, size_t *ret_size) {
        int r = read_full_file(path, CREDENTIAL_SIZE_MAX, ret, ret_size);
        if (r == -ENOENT || r == -ENOTDIR)
                return 0;
        if (r < 0) {
                log_warning_errno(r, "cannot read credential %s, ignoring it", path);
                return 0;
        }
        return 1;
}

static int from_fw_cfg(const char *name, const char *sysfs, char **ret, size_t *ret_size) {
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/firmware/qemu_fw_cfg/by_name/opt/io.systemd.credentials/%s/raw", sysfs, name) < 0)
                return -ENOMEM;
        /* The raw attribute reports size 0; read_full_file reads until EOF regardless. */
        return from_file(path, ret, ret_size);
}

static int from_smbios(const char *name, const char *sysfs, char **ret, size_t *ret_size) {
        for (unsigned i = 0;; i++) {
                _cleanup_free_ char *path = NULL, *raw = NULL;
                size_t raw_size;
                struct pb_credential c;
                struct pb_diag diag = {};

                if (asprintf(&path, "%s/firmware/dmi/entries/11-%u/raw", sysfs, i) < 0)
                        return -ENOMEM;
                int r = read_full_file(path, 64 * 1024, &raw, &raw_size);
                if (r == -ENOENT || r == -ENOTDIR)
                        return 0;
                if (r < 0) {
                        log_warning_errno(r, "cannot read SMBIOS OEM strings %s, ignoring them", path);
                        return 0;
                }
                r = pb_credential_from_smbios11(pb_span_make(raw, raw_size), name, &c, &diag);
                if (r < 0) {
                        log_warning("%s: %s, ignoring it", path, diag.reason);
                        continue;
                }
                if (r > 0)
                        return take_value(&c, name, "SMBIOS type 11", ret, ret_size);
        }
}

int credential_read(const char *name, const char *cmdline, const char *sysfs, char **ret, size_t *ret_size,
                    const char **ret_source) {
        const char *source;
        size_t size = 0;
        int r;

        *ret = NULL;
        *ret_source = NULL;
        const char *dir = getenv("CREDENTIALS_DIRECTORY");
        if (dir && *dir) {
                _cleanup_free_ char *path = NULL;
                if (asprintf(&path, "%s/%s", dir, name) < 0)
                        return -ENOMEM;
                source = "$CREDENTIALS_DIRECTORY";
                r = from_file(path, ret, &size);
                goto done;
        }

        struct pb_cmdline_arg arg;
        if (pb_cmdline_get(pb_span_from_str(cmdline), "systemd.import_credentials", PB_CMDLINE_IN_INITRD, &arg) > 0 &&
            arg.has_value && pb_parse_boolean(arg.value) == 0) {
                log_info("systemd.import_credentials=no: not reading credentials from the firmware or the command line");
                return 0;
        }

        source = "QEMU fw_cfg";
        r = from_fw_cfg(name, sysfs, ret, &size);
        if (r != 0)
                goto done;
        source = "SMBIOS type 11";
        r = from_smbios(name, sysfs, ret, &size);
        if (r != 0)
                goto done;

        struct pb_credential c;
        source = "the kernel command line";
        if (pb_credential_from_cmdline(pb_span_from_str(cmdline), name, &c) > 0)
                r = take_value(&c, name, source, ret, &size);
done:
        if (r > 0) {
                *ret_source = source;
                if (ret_size)
                        *ret_size = size;
        }
        return r;
}
