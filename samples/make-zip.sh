#!/bin/sh
# Rebuild samples/bulk.zip deterministically (same inputs -> same bytes).
#
# Members (names inside the archive -> source file under samples/):
#   valid-multi.xml       <- ems/valid-multi.xml       (valid EMSDataSet, 2 Headers, 5 PCRs)
#   valid-dem.xml         <- dem/valid-dem.xml         (valid DEMDataSet)
#   invalid/bad-code.xml  <- invalid/bad-code.xml      (EMSDataSet, 1 XSD error on eResponse.05)
#
# Fixed member order, fixed timestamps (1980-01-01 00:00:00), fixed permissions (0644, Unix),
# deflate level 9, no extra fields, no archive comment. Byte-identical output needs the same
# zlib build; the member contents are always identical.
#
# Usage: sh samples/make-zip.sh   (from any directory; needs python3)
set -eu
cd "$(dirname "$0")"
python3 - <<'PY'
import os
import zipfile

members = [
    ("valid-multi.xml", "ems/valid-multi.xml"),
    ("valid-dem.xml", "dem/valid-dem.xml"),
    ("invalid/bad-code.xml", "invalid/bad-code.xml"),
]
tmp = "bulk.zip.tmp"
with zipfile.ZipFile(tmp, "w") as z:
    for name, src in members:
        info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.create_system = 3
        info.external_attr = 0o100644 << 16
        with open(src, "rb") as f:
            z.writestr(info, f.read(), compresslevel=9)
os.replace(tmp, "bulk.zip")
PY
echo "wrote $(pwd)/bulk.zip" >&2
