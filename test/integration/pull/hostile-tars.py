# SPDX-License-Identifier: LGPL-2.1-or-later
"""Writes tarballs that try to escape the extraction directory, one per name, into DIR.
OUTSIDE is an absolute directory the tricks aim at."""
import io
import sys
import tarfile

out, outside = sys.argv[1], sys.argv[2]


def member(tf, name, kind=tarfile.REGTYPE, data=b"pwned\n", link=""):
    ti = tarfile.TarInfo(name)
    ti.type = kind
    ti.linkname = link
    ti.mode = 0o644 if kind != tarfile.SYMTYPE else 0o777
    if kind == tarfile.REGTYPE:
        ti.size = len(data)
        tf.addfile(ti, io.BytesIO(data))
    else:
        tf.addfile(ti)


def make(name, *members):
    with tarfile.open("%s/%s.tar" % (out, name), "w", format=tarfile.GNU_FORMAT) as tf:
        member(tf, "ok-before")
        for m in members:
            member(tf, *m)


make("dotdot", ("../escaped",))
make("dotdot-deep", ("a/b/../../../escaped",))
make("absolute", (outside + "/escaped",))
make("abs-symlink-parent", ("evil", tarfile.SYMTYPE, b"", outside), ("evil/escaped",))
make("rel-symlink-parent", ("evil", tarfile.SYMTYPE, b"", "../outside"), ("evil/escaped",))
make("symlink-chain", ("a", tarfile.SYMTYPE, b"", "."), ("a/b", tarfile.SYMTYPE, b"", outside), ("a/b/escaped",))
make("hardlink-absolute", ("h", tarfile.LNKTYPE, b"", outside + "/victim"))
make("hardlink-dotdot", ("h", tarfile.LNKTYPE, b"", "../outside/victim"))
make("hardlink-to-symlink", ("s", tarfile.SYMTYPE, b"", outside + "/victim"),
     ("h", tarfile.LNKTYPE, b"", "s"), ("h", tarfile.REGTYPE, b"overwritten\n"))
# Not an escape, but a classic: a symlink replaced by a regular file must not write through it.
make("symlink-then-file", ("x", tarfile.SYMTYPE, b"", outside + "/victim"), ("x", tarfile.REGTYPE, b"inside\n"))
# Absolute symlinks themselves are normal in a root file system and must be kept as they are.
make("absolute-symlink-ok", ("etc", tarfile.DIRTYPE), ("etc/localtime", tarfile.SYMTYPE, b"", "/usr/share/zoneinfo/UTC"))
