/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The agent's subcommands. Each returns an exit code (PB_EXIT_*) and owns its option parsing;
 * argv[0] is the verb name. */
int verb_plan(int argc, char **argv);
int verb_pull(int argc, char **argv);
int verb_attach(int argc, char **argv);
int verb_mount_root(int argc, char **argv);
int verb_init(int argc, char **argv);
int verb_net(int argc, char **argv);
int verb_generator(int argc, char **argv);
int verb_root_device(int argc, char **argv);
