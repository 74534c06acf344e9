/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "credentials.h"
#include "efivars.h"
#include "fileio.h"
#include "log.h"
#include "plan-inputs.h"

void plan_inputs_done(struct plan_inputs *in) {
        free(in->origin);
        free(in->credential);
        *in = (struct plan_inputs) {};
}

static int read_origin(const char *arg_origin, struct plan_inputs *in) {
        if (arg_origin) {
                if (!*arg_origin)
                        return 0;
                in->origin = strdup(arg_origin);
                if (!in->origin)
                        return log_error_errno(-ENOMEM, "out of memory");
                in->origin_source = "--origin";
                return 0;
        }
        int r = efivars_read_origin(&in->origin, &in->origin_source);
        if (r < 0 && r != -ENOENT)
                log_warning_errno(r, "cannot read the boot origin from EFI variables, assuming none");
        return 0;
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

int plan_inputs_read(const char *cmdline, const char *arg_origin, const char *arg_credential, const char *sysfs,
                     struct plan_inputs *ret) {
        struct plan_inputs in = {};
        int r = read_origin(arg_origin, &in);
        if (r >= 0)
                r = read_credential(cmdline, arg_credential, sysfs, &in);
        if (r < 0) {
                plan_inputs_done(&in);
                return r;
        }
        *ret = in;
        return 0;
}
