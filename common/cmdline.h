/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "base.h"

/*
 * Kernel command line tokenizer with the kernel's quoting rules (lib/cmdline.c next_arg()):
 * whitespace separates words unless inside double quotes; a word that starts with '"' has that
 * quote and a matching trailing quote removed; for key="v w" the value's surrounding quotes are
 * removed. Words after a lone "--" belong to init and are not returned.
 * `word` is the whole word with only a leading '"' (and its trailing partner) removed, so for
 * key="v w" it is the text key="v w". See cmdline.c for the exact kernel quirks reproduced.
 */

struct pb_cmdline_arg {
        struct pb_span word;   /* the whole word, outer quotes removed */
        struct pb_span key;    /* before the first '=' (outside quotes) */
        struct pb_span value;  /* after it, surrounding quotes removed */
        bool has_value;        /* "key" vs "key=" */
};

struct pb_cmdline_iter {
        const char *pos, *end;
        bool done;
};

void pb_cmdline_iter_init(struct pb_cmdline_iter *it, struct pb_span cmdline);
/* 1 and fills arg, or 0 at the end (or at "--"). */
int pb_cmdline_next(struct pb_cmdline_iter *it, struct pb_cmdline_arg *arg);

/* The arguments after "--" (for init), trailing whitespace trimmed, or an empty span. */
struct pb_span pb_cmdline_init_args(struct pb_span cmdline);

enum pb_cmdline_flags {
        /* Match "rd.KEY" as KEY (and plain KEY too), like systemd's PROC_CMDLINE_STRIP_RD_PREFIX
         * when running in the initrd. Without it "rd."-prefixed words never match. */
        PB_CMDLINE_IN_INITRD = 1 << 0,
        /* With PB_CMDLINE_IN_INITRD: only "rd.KEY" matches, plain KEY is for the host (systemd's
         * PROC_CMDLINE_RD_STRICT, which systemd-import-generator uses for systemd.pull=). Without
         * PB_CMDLINE_IN_INITRD it changes nothing: plain KEY matches, "rd.KEY" does not. */
        PB_CMDLINE_RD_STRICT = 1 << 1,
};

/* Does the argument's key match `key` (with the rd. rules above)? '-' and '_' compare equal,
 * as in the kernel and systemd's proc_cmdline_key_streq(). */
bool pb_cmdline_key_matches(const struct pb_cmdline_arg *arg, const char *key, unsigned flags);

/* Last value of key; 1 if found (value may be empty / has_value false), 0 if not. In the initrd
 * "rd.KEY" and KEY compete on equal terms: whichever comes last wins, as with systemd's
 * proc_cmdline_parse() callbacks that keep the last value. */
int pb_cmdline_get(struct pb_span cmdline, const char *key, unsigned flags, struct pb_cmdline_arg *ret);

/*
 * The same command line as systemd's PID 1 and generators split it (proc_cmdline_parse():
 * extract_first_word() with EXTRACT_UNQUOTE|EXTRACT_RELAX|EXTRACT_RETAIN_ESCAPE): words are
 * separated by ' ', '\t', '\n', '\r'; a '"' or '\'' anywhere in a word opens a quoted part up to the
 * same character, whose separators do not split and whose quote characters are removed; an
 * unterminated quote runs to the end of the line; backslashes are ordinary characters; "--" is an
 * ordinary word. Keys that systemd reads (rd.systemd.pull=, ...) are read this way, so that
 * rd.systemd.pull=raw,machine:m:"https://h/m.raw" means what it means to systemd.
 * The unquoted word is written into the caller's buffer (a buffer as long as the command line
 * always suffices); arg's spans point into it.
 */
struct pb_cmdline_sd_iter {
        const char *pos, *end;
};

void pb_cmdline_sd_iter_init(struct pb_cmdline_sd_iter *it, struct pb_span cmdline);
/* 1 and fills arg, 0 at the end, -ENOBUFS if the word does not fit into buf. */
int pb_cmdline_sd_next(struct pb_cmdline_sd_iter *it, char *buf, size_t size, struct pb_cmdline_arg *arg);

/* Parses a systemd-style boolean: 1/yes/y/true/t/on and 0/no/n/false/f/off, case-insensitive
 * like systemd's parse_boolean(). -EINVAL otherwise. */
int pb_parse_boolean(struct pb_span s);
