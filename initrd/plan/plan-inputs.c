/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "credentials.h"
#include "boot-record.h"
#include "fileio.h"
#include "log.h"
#include "plan-inputs.h"

void plan_inputs_done(struct plan_inputs *in) {
        free(in->origin);
        free(in->credential);
        *in = (struct plan_inputs) {};
}

static int read_credential(const char *cmdline, const char *arg_credential, const char *sysfs,
                           struct plan_inputs *in) {
        int r;

        if (arg_credential) {
                r = read_full_file(arg_credential, CREDENTIAL_SIZE_MAX, &in->credential, NULL);
                if (r < 0) {
                        log_error_errno(r, "cannot read credential file %s; check the --credential path", arg_credential);
                        return -EINVAL;
                }
                in->credential_source = "--credential";
                return 0;
        }
        r = credential_read("import.pull", cmdline, sysfs, &in->credential, NULL, &in->credential_source);
        return r < 0 ? r : 0;
}

int plan_inputs_read(const char *cmdline, const struct boot_record *boot, const char *arg_credential,
                     const char *sysfs, struct plan_inputs *ret) {
        struct plan_inputs in = {};
        int r = 0;
        if (boot->url) {
                in.origin = strdup(boot->url);
                in.origin_source = boot->url_source;
                if (!in.origin)
                        r = log_error_errno(-ENOMEM, "out of memory");
        }
        if (r >= 0)
                r = read_credential(cmdline, arg_credential, sysfs, &in);
        if (r < 0) {
                plan_inputs_done(&in);
                return r;
        }
        *ret = in;
        return 0;
}
