#!/usr/bin/env python3
"""Zero the CUDA fatbin payloads of a shared library that are not for the GPU architectures kept
(default sm_90: the H200), so that the file compresses to a fraction of its size for carrying to
the device machine. The ELF layout, every header and the kept payloads stay as they were; the
CUDA runtime then finds only the kept architectures' code (SASS and PTX) in each fatbin.

    slim-fatbin.py IN OUT [ARCH...]     e.g. slim-fatbin.py libonnxruntime_providers_cuda.so slim.so 90

Fatbin layout (as cuobjdump reads it): a header {u32 magic 0xBA55ED50, u16 version, u16
header size, u64 size of the entries}, then entries {u16 kind (1 PTX, 2 ELF), u16, u32 header
size, u64 payload size, ..., u32 arch at offset 28}, each followed by its payload."""
import struct
import sys

MAGIC = 0xBA55ED50


def section(data, name):
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    def sh(i):
        return struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)
    strtab = sh(shstrndx)
    for i in range(shnum):
        s = sh(i)
        end = data.index(b"\0", strtab[4] + s[0])
        if data[strtab[4] + s[0]:end].decode() == name:
            return s[4], s[5]
    sys.exit(f"slim-fatbin: no section {name}")


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    keep = {int(a) for a in sys.argv[3:]} or {90}
    data = bytearray(open(sys.argv[1], "rb").read())
    off, size = section(data, ".nv_fatbin")
    pos, end = off, off + size
    kept = zeroed = 0
    while pos + 16 <= end:
        magic, _, hsize, fsize = struct.unpack_from("<IHHQ", data, pos)
        if magic != MAGIC:
            pos += 8  # fatbins are 8-aligned; skip padding
            continue
        e, stop = pos + hsize, pos + hsize + fsize
        while e < stop:
            kind, _, ehsize, psize = struct.unpack_from("<HHIQ", data, e)
            arch, = struct.unpack_from("<I", data, e + 28)
            if kind not in (1, 2) or ehsize == 0:
                sys.exit(f"slim-fatbin: bad entry at {e:#x}")
            if arch in keep:
                kept += psize
            else:
                data[e + ehsize:e + ehsize + psize] = bytes(psize)
                zeroed += psize
            e += ehsize + psize
        pos = stop
    if kept == 0:
        sys.exit(f"slim-fatbin: no payload for sm_{sorted(keep)} in {sys.argv[1]}")
    open(sys.argv[2], "wb").write(data)
    print(f"slim-fatbin: kept {kept} bytes (sm {sorted(keep)}), zeroed {zeroed}")


main()
