# SPDX-License-Identifier: LGPL-2.1-or-later
"""Prints one sorted line per entry of a tree: type, mode, owner, size or device, content hash or
link target, extended attributes (ACLs included) and hard-link group, so two trees can be
compared byte for byte with diff."""
import hashlib
import os
import stat
import sys

root = sys.argv[1]
inodes = {}
lines = []
for dirpath, dirnames, filenames in os.walk(root):
    dirnames.sort()
    for name in sorted(dirnames + filenames) + ([""] if dirpath == root else []):
        p = os.path.join(dirpath, name) if name else dirpath
        rel = os.path.relpath(p, root)
        st = os.lstat(p)
        m = st.st_mode
        what = ""
        if stat.S_ISREG(m):
            with open(p, "rb") as f:
                what = hashlib.sha256(f.read()).hexdigest()
            what += " size=%d mtime=%d" % (st.st_size, int(st.st_mtime))
            key = (st.st_dev, st.st_ino)
            if st.st_nlink > 1:
                inodes.setdefault(key, rel)
                what += " link-group=" + inodes[key]
        elif stat.S_ISLNK(m):
            what = "-> " + os.readlink(p)
        elif stat.S_ISCHR(m) or stat.S_ISBLK(m):
            what = "dev=%d,%d" % (os.major(st.st_rdev), os.minor(st.st_rdev))
        xattrs = []
        if not stat.S_ISLNK(m):
            for x in sorted(os.listxattr(p)):
                xattrs.append("%s=%s" % (x, os.getxattr(p, x).hex()))
        lines.append("%s %s %o %d:%d %s %s" % (rel, stat.filemode(m)[0], stat.S_IMODE(m), st.st_uid,
                                               st.st_gid, what, " ".join(xattrs)))
# Hard-link groups are named by their first path in walk order; sort the lines afterwards.
print("\n".join(sorted(lines)))
