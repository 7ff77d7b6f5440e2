"""
Character-encoding detection for text sources (CSV, TSV, JSON, JSONL).

Order: a byte-order mark (UTF-8, UTF-16, UTF-32) wins; then strict UTF-8; then UTF-16 without a BOM (every other
byte NUL); then charset-normalizer on the sample. NUL bytes or control characters that no text encoding explains
mean binary content and raise :class:`SourceReadError`.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from catalog.readers.errors import SourceReadError

__all__ = ("TextEncoding", "decode_sample", "detect_encoding")

_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf_32_le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf_32_be", "UTF-32"),
    (codecs.BOM_UTF8, "utf_8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf_16_le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf_16_be", "UTF-16"),
)
_TRIED = "UTF-8/UTF-16/Latin-1"
# Unicode category Cc except tab, LF, FF and CR.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
# Above this share of control characters (other than tab, CR, LF, FF) a decoded sample is binary junk.
_MAX_CONTROL_SHARE = 0.01
# Codecs in which b"\n" is always a line feed, never part of a multi-byte character: byte ranges may be split there.
_WESTERN = ("cp1252", "latin_1", "iso8859_15")
_LINE_SAFE_PREFIXES = ("utf_8", "ascii", "latin_1", "iso8859", "cp125", "cp437", "cp850", "mac_", "koi8")


@dataclass(frozen=True)
class TextEncoding:
    """
    How a text source is encoded.

    ``codec`` is a Python codec name without BOM handling (``utf_8``, ``utf_16_le``, ``cp1252`` …); ``bom_length``
    is the number of bytes to skip at the start of the (decompressed) stream.
    """

    codec: str
    bom_length: int = 0

    @property
    def label(self) -> str:
        """A human name such as ``UTF-8`` or ``CP1252``."""
        return self.codec.upper().replace("_", "-")

    @property
    def splits_on_newline_bytes(self) -> bool:
        """True when a byte range may be cut right after any ``\\n`` byte without breaking a character."""
        return self.codec.startswith(_LINE_SAFE_PREFIXES)


def detect_encoding(sample: bytes, *, complete: bool) -> TextEncoding:
    """
    Detect the encoding of a text source from its first bytes.

    ``complete`` tells whether ``sample`` is the whole (decompressed) source; when it is not, a multi-byte
    character cut at the end of the sample is not an error. Raises :class:`SourceReadError` on binary content.
    """
    for bom, codec, _label in _BOMS:
        if sample.startswith(bom):
            encoding = TextEncoding(codec=codec, bom_length=len(bom))
            _check_decodes(sample, encoding, complete=complete)
            return encoding
    if _decodes(sample, "utf_8", complete=complete):
        encoding = TextEncoding(codec="utf_8")
        _reject_control_characters(decode_sample(sample, encoding, complete=complete))
        return encoding
    utf16 = _utf16_without_bom(sample)
    if utf16 is not None and _decodes(sample, utf16, complete=complete):
        return TextEncoding(codec=utf16)
    if b"\x00" in sample:
        position = sample.index(b"\x00")
        raise SourceReadError(f"could not decode as {_TRIED}: binary content (NUL byte at byte {position:,})")
    return _detect_legacy(sample, complete=complete)


def decode_sample(sample: bytes, encoding: TextEncoding, *, complete: bool) -> str:
    """Decode ``sample`` (BOM skipped); an incomplete character at its end is dropped unless ``complete``."""
    decoder = codecs.getincrementaldecoder(encoding.codec)(errors="strict")
    try:
        return decoder.decode(sample[encoding.bom_length :], final=complete)
    except UnicodeDecodeError as error:
        raise SourceReadError(
            f"could not decode as {encoding.label}: invalid byte at byte {error.start + encoding.bom_length:,}"
        ) from None


def _decodes(sample: bytes, codec: str, *, complete: bool) -> bool:
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    try:
        decoder.decode(sample, final=complete)
    except UnicodeDecodeError:
        return False
    return True


def _check_decodes(sample: bytes, encoding: TextEncoding, *, complete: bool) -> None:
    decode_sample(sample, encoding, complete=complete)


def _utf16_without_bom(sample: bytes) -> str | None:
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even_nuls = sample[0 : pairs * 2 : 2].count(0)
    odd_nuls = sample[1 : pairs * 2 : 2].count(0)
    if odd_nuls >= 0.3 * pairs and even_nuls < 0.05 * pairs:
        return "utf_16_le"
    if even_nuls >= 0.3 * pairs and odd_nuls < 0.05 * pairs:
        return "utf_16_be"
    return None


def _detect_legacy(sample: bytes, *, complete: bool) -> TextEncoding:
    from charset_normalizer import from_bytes

    matches = list(from_bytes(sample))
    if not matches:
        raise SourceReadError(f"could not decode as {_TRIED}: the bytes do not look like text in any encoding")
    best = matches[0]
    # Short Western samples often fit several code pages equally well (Müller reads the same in cp1250 and
    # cp1252); among equally good readings the Western one is by far the most likely.
    for match in matches:
        if match.encoding in _WESTERN and match.chaos <= best.chaos and match.coherence >= best.coherence - 0.05:
            best = match
            break
    codec = codecs.lookup(best.encoding).name.replace("-", "_")
    if codec.startswith("utf_16") or codec.startswith("utf_32"):
        # Without a BOM or a NUL pattern UTF-16 is a guess on junk; a legacy single-byte reading is safer.
        codec = "latin_1"
    encoding = TextEncoding(codec=codec)
    _reject_control_characters(decode_sample(sample, encoding, complete=complete))
    return encoding


def _reject_control_characters(text: str) -> None:
    if not text:
        return
    controls = len(_CONTROL_CHARACTERS.findall(text))
    if controls > _MAX_CONTROL_SHARE * len(text):
        raise SourceReadError(f"could not decode as {_TRIED}: binary content ({controls:,} control characters)")
