/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target for common/varstore.c: parse an arbitrary VARS image, walk it, then edit a copy
 * (update, append, delete, reclaim) and check that what the store reports afterwards is
 * consistent: the edited variable reads back, the number of live variables adds up, a reclaim
 * neither loses nor invents variables. An accepted store must be strictly healthy (known record
 * states, erased free area, no duplicate live records), and what the edits write must be accepted
 * again.
 */
#include <stdlib.h>
#include <string.h>

#include "varstore.h"

static bool known_state(uint8_t s) {
        return s == PB_VAR_STATE_HEADER_VALID_ONLY || s == PB_VAR_STATE_ADDED ||
                s == PB_VAR_STATE_IN_DELETED_TRANSITION || s == PB_VAR_STATE_DELETED ||
                s == PB_VAR_STATE_ADDED_DELETED;
}

/* What pb_varstore_open() promises about a store it accepted. */
static void check_healthy(const struct pb_varstore *vs) {
        struct pb_varstore_var v, w;
        size_t c = 0;

        for (size_t i = vs->free_offset; i < vs->end_offset; i++)
                if (vs->buf[i] != 0xff)
                        abort();
        while (pb_varstore_next(vs, &c, &v) > 0) {
                size_t d = c;
                if (!known_state(v.state))
                        abort();
                if (v.state != PB_VAR_STATE_ADDED)
                        continue;
                while (pb_varstore_next(vs, &d, &w) > 0)
                        if (w.state == PB_VAR_STATE_ADDED && w.name_size == v.name_size &&
                            pb_guid_eq(&w.guid, &v.guid) && memcmp(w.name, v.name, v.name_size) == 0)
                                abort();
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const pb_guid fuzz_guid =
        PB_GUID_INIT(0x8be4df61, 0x93ca, 0x11d2, 0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c);

static size_t count_live(const struct pb_varstore *vs) {
        struct pb_varstore_var v;
        size_t c = 0, n = 0;
        while (pb_varstore_next_live(vs, &c, &v) > 0)
                n++;
        return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct pb_varstore vs;
        struct pb_varstore_var v;
        struct pb_diag diag = {};
        uint8_t *buf;
        size_t c = 0, n, n_all = 0;
        int r;

        if (size > (1u << 20))
                return 0;
        buf = malloc(size ? size : 1);
        if (!buf)
                return 0;
        memcpy(buf, data, size);

        if (pb_varstore_open(&vs, buf, size, &diag) < 0) {
                if (!diag.reason)
                        abort();
                goto out;
        }
        while ((r = pb_varstore_next(&vs, &c, &v)) > 0) {
                if (v.offset < vs.vars_offset || v.offset + v.record_size > vs.end_offset)
                        abort();
                n_all++;
        }
        if (r < 0)
                abort();   /* open() validated every record */
        check_healthy(&vs);
        n = count_live(&vs);
        if (n > n_all)
                abort();

        /* Update the first live variable, if any, with different data. */
        c = 0;
        if (pb_varstore_next_live(&vs, &c, &v) > 0 && v.name_size >= 2 && v.name_size <= 512 &&
            v.name[v.name_size - 1] == 0 && v.name[v.name_size - 2] == 0 && (v.name_size & 1) == 0 &&
            !(v.attributes & 0x30) && (v.attributes & 1)) {
                uint8_t name[512], payload[3] = { 1, 2, 3 };
                pb_guid g = v.guid;
                size_t ns = v.name_size;
                bool ends_early = false;

                memcpy(name, v.name, ns);
                for (size_t i = 0; i + 2 < ns; i += 2)
                        if (name[i] == 0 && name[i + 1] == 0)
                                ends_early = true;
                r = pb_varstore_set_ucs2(&vs, name, ns, &g, v.attributes, payload, sizeof payload);
                if (r > 0 && !ends_early) {
                        if (pb_varstore_find_ucs2(&vs, name, ns, &g, &v) != 1 || v.data_size != 3 ||
                            memcmp(v.data, payload, 3) != 0)
                                abort();
                }
        }

        /* Append a fresh variable, delete it again. */
        n = count_live(&vs);
        r = pb_varstore_set(&vs, "FuzzVar", &fuzz_guid, 0x7, "abc", 3);
        if (r == 1) {
                if (pb_varstore_find(&vs, "FuzzVar", &fuzz_guid, &v) != 1 || v.data_size != 3)
                        abort();
                if (pb_varstore_delete(&vs, "FuzzVar", &fuzz_guid) != 1)
                        abort();
                if (pb_varstore_find(&vs, "FuzzVar", &fuzz_guid, &v) != 0)
                        abort();
        }

        n = count_live(&vs);
        pb_varstore_reclaim(&vs);
        if (count_live(&vs) != n || pb_varstore_reclaimable(&vs) != 0)
                abort();
        /* The result is still a store we accept, except that a reclaim may have made a record whose
         * data ends in erased bytes the last one (the heuristic against grown data sizes). */
        r = pb_varstore_open(&vs, buf, size, &diag);
        if (r < 0 && !strstr(diag.reason, "erased space"))
                abort();
        if (r >= 0 && count_live(&vs) != n)
                abort();
        if (r >= 0)
                check_healthy(&vs);
out:
        free(buf);
        return 0;
}
