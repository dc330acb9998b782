"""CLIP/GPT-2 byte-level alphabet: every byte 0..255 maps to one printable unicode character.

Printable latin-1 bytes map to themselves; the remaining 68 bytes (controls, space, soft hyphen, ...) map to
U+0100 onwards in byte order. BPE then works on these characters, so any UTF-8 text is representable
without an unknown token.
"""
from functools import lru_cache
from typing import Dict

END_OF_WORD = "</w>"  # CLIP marks the last symbol of every pre-token with this suffix


@lru_cache(maxsize=1)
def bytes_to_unicode() -> Dict[int, str]:
    printable = (
        list(range(ord("!"), ord("~") + 1))
        + list(range(ord("\u00a1"), ord("\u00ac") + 1))
        + list(range(ord("\u00ae"), ord("\u00ff") + 1))
    )
    codepoints = printable[:]
    byte_values = printable[:]
    extra = 0
    for byte in range(256):
        if byte not in printable:
            byte_values.append(byte)
            codepoints.append(256 + extra)
            extra += 1
    return {b: chr(c) for b, c in zip(byte_values, codepoints)}


@lru_cache(maxsize=1)
def unicode_to_bytes() -> Dict[str, int]:
    return {c: b for b, c in bytes_to_unicode().items()}


def base_vocabulary() -> list:
    """The 512 base symbols in CLIP's id order: 256 byte characters, then the same with `</w>`."""
    chars = list(bytes_to_unicode().values())
    return chars + [c + END_OF_WORD for c in chars]
