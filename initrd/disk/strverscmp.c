/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "strverscmp.h"

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

static bool is_alpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_version_char(char c) {
        return is_digit(c) || is_alpha(c) || c == '~' || c == '-' || c == '^' || c == '.';
}

static int sign(long v) {
        return (v > 0) - (v < 0);
}

/* Consumes prefix character p if either side starts with it. The side that has it is older,
 * except that both having it is a tie that moves on. Returns the comparison or 0. */
static int cmp_prefix(const char **a, const char **b, char p) {
        bool pa = **a == p, pb = **b == p;

        if (!pa && !pb)
                return 0;
        if (pa != pb)
                return pa ? -1 : 1;
        (*a)++;
        (*b)++;
        return 0;
}

int strverscmp_improved(const char *a, const char *b) {
        int r;

        a = a ?: "";
        b = b ?: "";

        for (;;) {
                /* Characters outside the version alphabet only separate segments. */
                while (*a && !is_version_char(*a))
                        a++;
                while (*b && !is_version_char(*b))
                        b++;

                /* '~' sorts before everything, even before the end of the string
                 * ("1~rc1" < "1"), so it is checked before the end. */
                r = cmp_prefix(&a, &b, '~');
                if (r != 0)
                        return r;

                /* More segments are newer. */
                if (!*a || !*b)
                        return sign((long) (unsigned char) *a - (long) (unsigned char) *b);

                /* Then '-' < '^' < '.' < a bare segment. */
                r = cmp_prefix(&a, &b, '-');
                if (r != 0)
                        return r;
                r = cmp_prefix(&a, &b, '^');
                if (r != 0)
                        return r;
                r = cmp_prefix(&a, &b, '.');
                if (r != 0)
                        return r;

                const char *ea = a, *eb = b;
                if (is_digit(*a) || is_digit(*b)) {
                        while (is_digit(*ea))
                                ea++;
                        while (is_digit(*eb))
                                eb++;
                        /* A number is newer than letters (or than nothing). */
                        if ((ea == a) != (eb == b))
                                return ea == a ? -1 : 1;

                        /* Compare as numbers of any length: without leading zeros, the longer
                         * one is bigger, equal lengths compare digit by digit. */
                        while (a < ea && *a == '0')
                                a++;
                        while (b < eb && *b == '0')
                                b++;
                        if (ea - a != eb - b)
                                return ea - a < eb - b ? -1 : 1;
                        r = sign(strncmp(a, b, (size_t) (ea - a)));
                        if (r != 0)
                                return r;
                } else {
                        while (is_alpha(*ea))
                                ea++;
                        while (is_alpha(*eb))
                                eb++;
                        size_t la = (size_t) (ea - a), lb = (size_t) (eb - b);
                        r = sign(strncmp(a, b, la < lb ? la : lb));
                        if (r != 0)
                                return r;
                        /* "abc" < "abcd" */
                        if (la != lb)
                                return la < lb ? -1 : 1;
                }

                a = ea;
                b = eb;
        }
}
