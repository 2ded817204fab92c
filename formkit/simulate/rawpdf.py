"""A PDF written object by object, for scanner files no library writes as such (JBIG2 pages, fax-style stencils)."""

from __future__ import annotations

from collections.abc import Sequence


def pdf_bytes(objects: Sequence[bytes]) -> bytes:
    """A whole PDF file of `objects` (bodies of objects 1, 2, ...; object 1 is the catalog) with its xref table."""
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for k, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{k} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
