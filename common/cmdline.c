/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Kernel command line tokenizer. It splits words the way the kernel's next_arg() does, quirks
 * included, so that what we read is what the kernel (and init after "--") saw:
 *  - separators are the kernel's isspace(): '\t' '\n' '\v' '\f' '\r' ' ' and also 0xa0 (its
 *    ctype table is Latin-1);
 *  - a '"' toggles "inside quotes" wherever it appears; separators inside quotes do not split;
 *  - the key ends at the first '=' that is not the word's first character ("=x" has no value);
 *  - a word starting with '"' loses that quote and a trailing '"'; a value starting with '"'
 *    loses it and a trailing '"'; other quotes stay ("a\"b c\"" is one word, quotes kept);
 *  - an unbalanced quote swallows the rest of the line into one word;
 *  - the input ends at the first NUL byte.
 */

#include "cmdline.h"

static bool kernel_isspace(char c) {
        unsigned char u = (unsigned char) c;
        return u == ' ' || (u >= '\t' && u <= '\r') || u == 0xa0;
}

static const char *skip_spaces(const char *p, const char *end) {
        while (p < end && kernel_isspace(*p))
                p++;
        return p;
}

/* The command line ends at its first NUL, like the kernel's string. */
static const char *line_end(struct pb_span cmdline) {
        const char *end = cmdline.ptr;

        while (end < cmdline.ptr + cmdline.len && *end != 0)
                end++;
        return end;
}

void pb_cmdline_iter_init(struct pb_cmdline_iter *it, struct pb_span cmdline) {
        if (!cmdline.ptr) {
                *it = (struct pb_cmdline_iter) { .done = true };
                return;
        }
        *it = (struct pb_cmdline_iter) {
                .pos = skip_spaces(cmdline.ptr, line_end(cmdline)),
                .end = line_end(cmdline),
        };
}

/* One next_arg() step: splits off the word at it->pos and advances past it and its trailing
 * separators. */
static void split_word(struct pb_cmdline_iter *it, struct pb_cmdline_arg *arg) {
        const char *args = it->pos, *end = it->end;
        bool in_quote = false, quoted = false;
        size_t i, equals = 0;

        if (args < end && *args == '"') {
                args++;
                in_quote = quoted = true;
        }

        for (i = 0; args + i < end; i++) {
                char c = args[i];

                if (kernel_isspace(c) && !in_quote)
                        break;
                if (equals == 0 && c == '=')
                        equals = i;
                if (c == '"')
                        in_quote = !in_quote;
        }

        /* The kernel NUL-terminates in place; we track where each part ends instead. */
        size_t word_end = i;
        bool last_eaten = false;

        *arg = (struct pb_cmdline_arg) {};
        if (equals > 0) {
                size_t val_start = equals + 1, val_end = i;

                if (val_start < i && args[val_start] == '"') {
                        val_start++;
                        if (args[i - 1] == '"') {
                                val_end = i - 1;
                                last_eaten = true;
                        }
                }
                if (quoted && !last_eaten && i > 0 && args[i - 1] == '"') {
                        val_end = i - 1;
                        last_eaten = true;
                }
                if (val_end < val_start) /* k=" : the opening quote was also the closing one */
                        val_end = val_start;
                arg->key = pb_span_make(args, equals);
                arg->value = pb_span_make(args + val_start, val_end - val_start);
                arg->has_value = true;
        } else {
                size_t key_end = i;

                if (quoted && i > 0 && args[i - 1] == '"') {
                        key_end = i - 1;
                        last_eaten = true;
                }
                arg->key = pb_span_make(args, key_end);
                arg->value = pb_span_make(args + i, 0);
        }
        if (quoted && last_eaten)
                word_end = i - 1;
        arg->word = pb_span_make(args, word_end);

        const char *next = args + i;
        if (next < end)
                next++;
        it->pos = skip_spaces(next, end);
}

int pb_cmdline_next(struct pb_cmdline_iter *it, struct pb_cmdline_arg *arg) {
        struct pb_cmdline_arg a;

        if (it->done || !it->pos || it->pos >= it->end) {
                it->done = true;
                return 0;
        }

        split_word(it, &a);

        /* Like parse_args(): a bare "--" (quoted or not, but without '=') hands the rest to init. */
        if (!a.has_value && pb_span_eq(a.key, "--")) {
                it->done = true;
                return 0;
        }

        if (arg)
                *arg = a;
        return 1;
}

struct pb_span pb_cmdline_init_args(struct pb_span cmdline) {
        struct pb_cmdline_iter it;

        pb_cmdline_iter_init(&it, cmdline);
        while (pb_cmdline_next(&it, NULL) > 0)
                ;
        if (!it.pos || it.pos >= it.end)
                return pb_span_make(it.end, 0);

        /* /proc/cmdline ends in "\n"; init's arguments do not. */
        const char *e = it.end;
        while (e > it.pos && kernel_isspace(e[-1]))
                e--;
        return pb_span_make(it.pos, (size_t) (e - it.pos));
}

/* '-' and '_' are the same in parameter names, for the kernel and for systemd. */
static bool key_equal(struct pb_span a, const char *b) {
        size_t n = pb_strlen(b);

        if (a.len != n)
                return false;
        for (size_t i = 0; i < n; i++) {
                char x = a.ptr[i] == '-' ? '_' : a.ptr[i];
                char y = b[i] == '-' ? '_' : b[i];
                if (x != y)
                        return false;
        }
        return true;
}

bool pb_cmdline_key_matches(const struct pb_cmdline_arg *arg, const char *key, unsigned flags) {
        struct pb_span k;

        if (!arg || !key)
                return false;

        k = arg->key;
        if (pb_span_startswith(k, "rd.")) {
                /* Meant for the initrd only. */
                if (!(flags & PB_CMDLINE_IN_INITRD))
                        return false;
                k.ptr += 3;
                k.len -= 3;
        } else if ((flags & PB_CMDLINE_IN_INITRD) && (flags & PB_CMDLINE_RD_STRICT))
                return false;

        return key_equal(k, key);
}

int pb_cmdline_get(struct pb_span cmdline, const char *key, unsigned flags, struct pb_cmdline_arg *ret) {
        struct pb_cmdline_iter it;
        struct pb_cmdline_arg arg, found = {};
        bool any = false;

        pb_cmdline_iter_init(&it, cmdline);
        while (pb_cmdline_next(&it, &arg) > 0)
                if (pb_cmdline_key_matches(&arg, key, flags)) {
                        found = arg;
                        any = true;
                }

        if (any && ret)
                *ret = found;
        return any;
}

static bool sd_isspace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

void pb_cmdline_sd_iter_init(struct pb_cmdline_sd_iter *it, struct pb_span cmdline) {
        *it = cmdline.ptr ? (struct pb_cmdline_sd_iter) { .pos = cmdline.ptr, .end = line_end(cmdline) }
                          : (struct pb_cmdline_sd_iter) {};
}

int pb_cmdline_sd_next(struct pb_cmdline_sd_iter *it, char *buf, size_t size, struct pb_cmdline_arg *arg) {
        const char *p = it->pos;
        size_t n = 0;
        char quote = 0;

        if (!p)
                return 0;
        while (p < it->end && sd_isspace(*p))
                p++;
        if (p >= it->end) {
                it->pos = p;
                return 0;
        }
        for (; p < it->end; p++) {
                char c = *p;

                if (quote) {
                        if (c == quote) {
                                quote = 0;
                                continue;
                        }
                } else if (c == '"' || c == '\'') {
                        quote = c;
                        continue;
                } else if (sd_isspace(c))
                        break;
                if (n + 1 >= size)
                        return -ENOBUFS;
                buf[n++] = c;
        }
        buf[n] = 0;
        it->pos = p;

        /* proc_cmdline_parse_strv(): the key ends at the first '=' of the unquoted word. */
        size_t eq = 0;
        while (eq < n && buf[eq] != '=')
                eq++;
        *arg = (struct pb_cmdline_arg) {
                .word = pb_span_make(buf, n),
                .key = pb_span_make(buf, eq),
                .value = eq < n ? pb_span_make(buf + eq + 1, n - eq - 1) : pb_span_make(buf + n, 0),
                .has_value = eq < n,
        };
        return 1;
}

int pb_parse_boolean(struct pb_span s) {
        static const char *const yes[] = { "1", "yes", "y", "true", "t", "on" };
        static const char *const no[] = { "0", "no", "n", "false", "f", "off" };
        char lower[6];

        if (s.len == 0 || s.len >= sizeof lower || !s.ptr)
                return -EINVAL;
        for (size_t i = 0; i < s.len; i++)
                lower[i] = pb_ascii_tolower(s.ptr[i]);
        lower[s.len] = 0;

        for (size_t i = 0; i < PB_ELEMENTSOF(yes); i++)
                if (pb_span_eq(pb_span_make(lower, s.len), yes[i]))
                        return 1;
        for (size_t i = 0; i < PB_ELEMENTSOF(no); i++)
                if (pb_span_eq(pb_span_make(lower, s.len), no[i]))
                        return 0;
        return -EINVAL;
}
