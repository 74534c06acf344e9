/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PLACEHOLDER: unit tests for common/pe.c go here. */
#include "test.h"

int main(void) {
        TEST_SKIP("no tests for pe yet");
}
