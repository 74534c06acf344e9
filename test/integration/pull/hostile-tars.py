# SPDX-License-Identifier: LGPL-2.1-or-later
"""Writes tarballs that try to escape the extraction directory, one per name, into DIR.
OUTSIDE is an absolute directory the tricks aim at; UP is the same directory as seen from the
extraction directory ("../../../outside"), so the relative tricks reach it too. DEVICE, if given as
MAJOR:MINOR, is a block device the device-node trick writes through."""
import io
import sys
import tarfile

out, outside, up = sys.argv[1], sys.argv[2], sys.argv[3]
device = sys.argv[4] if len(sys.argv) > 4 else ""


def member(tf, name, kind=tarfile.REGTYPE, data=b"pwned\n", link="", mode=None, dev=(0, 0)):
    ti = tarfile.TarInfo(name)
    ti.type = kind
    ti.linkname = link
    ti.mode = mode if mode is not None else (0o777 if kind == tarfile.SYMTYPE else 0o644)
    ti.devmajor, ti.devminor = dev
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


SYM, LNK, REG, DIR, BLK = tarfile.SYMTYPE, tarfile.LNKTYPE, tarfile.REGTYPE, tarfile.DIRTYPE, tarfile.BLKTYPE
make("dotdot", ("../escaped",))
make("dotdot-deep", ("a/b/../../%s/escaped" % up,))
make("absolute", (outside + "/escaped",))
make("abs-symlink-parent", ("evil", SYM, b"", outside), ("evil/escaped",))
make("rel-symlink-parent", ("evil", SYM, b"", up), ("evil/escaped",))
make("symlink-chain", ("a", SYM, b"", "."), ("a/b", SYM, b"", outside), ("a/b/escaped",))
make("hardlink-absolute", ("h", LNK, b"", outside + "/victim"))
make("hardlink-dotdot", ("h", LNK, b"", up + "/victim"))
make("hardlink-to-symlink", ("s", SYM, b"", outside + "/victim"),
     ("h", LNK, b"", "s"), ("h", REG, b"overwritten\n"))
# A hard link out of the tree, then the same name again as a setuid root file: an extractor that
# rewrites in place changes the outside file's contents and makes it setuid.
make("setuid-via-hardlink", ("h", LNK, b"", outside + "/victim"), ("h", REG, b"#!/bin/sh\npwned\n", "", 0o4755))
if device:
    major, minor = (int(x) for x in device.split(":"))
    # A block device node, then a file of the same name: an extractor that rewrites in place
    # writes into the device.
    make("device-node", ("disk", BLK, b"", "", 0o600, (major, minor)), ("disk", REG, b"pwned\n"))
# Not an escape, but a classic: a symlink replaced by a regular file must not write through it.
make("symlink-then-file", ("x", SYM, b"", outside + "/victim"), ("x", REG, b"inside\n"))
# Absolute symlinks themselves are normal in a root file system and must be kept as they are.
make("absolute-symlink-ok", ("etc", DIR), ("etc/localtime", SYM, b"", "/usr/share/zoneinfo/UTC"))
