# SPDX-License-Identifier: LGPL-2.1-or-later
"""A second reader for edk2 VARS files, written for the tests independently of common/varstore.c.

It reads what the tests need to judge pullboot-bootcfg's output: the live variables (name, GUID)
-> (attributes, data) and where each record lies. It is deliberately plain: no validation beyond
what is needed to walk the records, so it can read stores the tool's strict parser would refuse.
"""
import struct
import uuid

NV_DATA_FV = uuid.UUID("fff12b8d-7696-4c8b-a985-2747075b4f50")
AUTH_STORE = uuid.UUID("aaf32c78-947b-439a-a180-2e144ec37792")
PLAIN_STORE = uuid.UUID("ddcf3616-3275-4164-98b6-fe85707ffe7d")
GLOBAL = uuid.UUID("8be4df61-93ca-11d2-aa0d-00e098032b8c")

ADDED = 0x3F
IN_DELETED_TRANSITION = 0x3E


class Unreadable(Exception):
    pass


class Record:
    __slots__ = ("offset", "end", "state", "attributes", "name", "guid", "data")

    def key(self):
        return (self.name, self.guid)


class Store:
    def __init__(self, image):
        self.image = bytes(image)
        b = self.image
        if len(b) < 0x48 + 28 or b[0x28:0x2C] != b"_FVH":
            raise Unreadable("no firmware volume")
        if uuid.UUID(bytes_le=b[0x10:0x20]) != NV_DATA_FV:
            raise Unreadable("not an NV data volume")
        hlen = struct.unpack_from("<H", b, 0x30)[0]
        if hlen + 28 > len(b):
            raise Unreadable("bad FV header length")
        kind = uuid.UUID(bytes_le=b[hlen:hlen + 16])
        if kind == AUTH_STORE:
            self.header_size, name_off = 60, 36
        elif kind == PLAIN_STORE:
            self.header_size, name_off = 32, 8
        else:
            raise Unreadable("no variable store header")
        size = struct.unpack_from("<I", b, hlen + 16)[0]
        self.store_offset = hlen
        self.end = hlen + size
        if self.end > len(b):
            raise Unreadable("store larger than the file")
        self.records = []
        off = (hlen + 28 + 3) & ~3
        while off + self.header_size <= self.end and b[off:off + 2] == b"\xaa\x55":
            r = Record()
            r.offset = off
            r.state = b[off + 2]
            r.attributes = struct.unpack_from("<I", b, off + 4)[0]
            ns, ds = struct.unpack_from("<II", b, off + name_off)
            g = off + name_off + 8
            r.guid = uuid.UUID(bytes_le=b[g:g + 16])
            n0 = off + self.header_size
            if n0 + ns + ds > self.end:
                raise Unreadable("record at 0x%x runs past the store" % off)
            r.name = b[n0:n0 + ns].decode("utf-16-le", "replace").rstrip("\0")
            r.data = b[n0 + ns:n0 + ns + ds]
            r.end = n0 + ns + ds
            self.records.append(r)
            off = (r.end + 3) & ~3
        self.free_offset = off

    def live(self):
        """edk2's lookup: the first VAR_ADDED record of a variable, else its last in-transition one."""
        added, transition = {}, {}
        for r in self.records:
            if r.state == ADDED:
                added.setdefault(r.key(), r)
            elif r.state == IN_DELETED_TRANSITION:
                transition[r.key()] = r
        out = dict(transition)
        out.update(added)
        return {k: (r.attributes, r.data) for k, r in out.items()}

    def record_at(self, offset):
        """The record whose bytes (including alignment padding) hold offset, or None."""
        for r in self.records:
            if r.offset <= offset < ((r.end + 3) & ~3):
                return r
        return None


def load(path):
    with open(path, "rb") as f:
        return Store(f.read())


def uri_load_option(title, uri):
    """EFI_LOAD_OPTION of an HTTP boot entry: ACTIVE, title, URI device path node + End."""
    dp = struct.pack("<BBH", 3, 24, 4 + len(uri)) + uri.encode() + b"\x7f\xff\x04\x00"
    return struct.pack("<IH", 1, len(dp)) + (title + "\0").encode("utf-16-le") + dp
