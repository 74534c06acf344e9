# SPDX-License-Identifier: LGPL-2.1-or-later
"""The naive extractor the hostile-tar tests compare against: Python's tarfile with every check
off (the "fully_trusted" filter), extracting ARCHIVE into DIR."""
import sys
import tarfile

with tarfile.open(sys.argv[1]) as tf:
    kw = {"filter": "fully_trusted"} if hasattr(tarfile, "fully_trusted_filter") else {}
    tf.extractall(sys.argv[2], numeric_owner=True, **kw)
