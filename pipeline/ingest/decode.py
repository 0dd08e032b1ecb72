"""Bytes -> text for one input file: BOM-marked Unicode, UTF-8, or legacy Chinese code pages.

Chinese news files in the wild are mostly UTF-8, but GBK/GB18030 (mainland) and Big5 (Taiwan, Hong Kong)
files still turn up. Legacy byte streams often decode *without error* under the wrong code page (GBK bytes are
largely valid Big5 and vice versa), so a clean decode proves nothing: each candidate is scored by how many of
its characters are among the most common Chinese characters, which garbage decodings almost never are.
"""

from __future__ import annotations

import codecs

from pipeline.errors import InputError

# The 400 most frequent characters of jieba's dictionary (frequency-weighted) plus their traditional forms
# (OpenCC s2t). Correctly decoded Chinese prose has ~40% of its characters in this set, mis-decoded bytes ~1-5%.
_COMMON_SIMPLIFIED = (
    "一是人了不在有大中国和为这上他个地年来我会以到时要出的生学说道民家子也成行下们于后就发自之对得主长可过天作分方用多你着部"
    "能市等业全里工公经本都而高政法面门动日进区事代那去心小同北定开产前其军还然起种所如现理机体表力好外与文当两实重新三么只山"
    "水关明从化平建又制南内西没此将员名手最东头者月间无安看见各城十相但已些正口通想度加第她合院物性战由位常点海意场武使次二向"
    "治因立数样身情入原问把路被并利石老教万知级量任江及应省资委务元美特期世湖回系比气汉总展电科金先声提品设或义王社很统处四首"
    "共马形己儿司太目基领队直计别女权话少流命至报米给打变果书清活几州华解议更称程今决张导术府才保交放管结师便走达族反再题色五"
    "京河接条规式县白它改风光运信受什组听布百济党指论强做取技黄神选记斯真却职号界件花类何眼兵传带空干农边据集联古广完质阳难增"
    "历史专官每住商即步认车台林必死游举线言皇土团收考求德叫近备研争非具李众连调感转笑"
)
_COMMON_TRADITIONAL_ONLY = (
    "並來個們備傳兒內兩別動務區卻員問國團報場學實將專對導師帶幹幾廣張強後從應戰據數於時書會東條業樣機權歷氣決沒漢濟無爭爲現產當"
    "發種稱級組結給統經線縣總義聯聲職聽臺與舉華萬處號衆術裏見規計記設話認說調論議變資質車軍轉農這連進遊運過達選還邊長門開間關"
    "陽隊難電領頭題類風馬體麼黃點黨"
)
COMMON_CHINESE = frozenset(_COMMON_SIMPLIFIED + _COMMON_TRADITIONAL_ONLY)

# Legacy encodings tried when a file is not UTF-8, in order of preference on a tie. gb18030 is a superset of
# GBK and GB2312; cp950 and big5hkscs are the Big5 variants Windows and Hong Kong actually write.
LEGACY_CANDIDATES: tuple[str, ...] = ("gb18030", "big5", "cp950", "big5hkscs")
# Share of common characters (among non-ASCII ones) a legacy decoding needs to count as Chinese.
MIN_COMMON_SHARE = 0.12

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# PDF, PNG, ZIP (docx, xlsx), gzip, GIF, JPEG, ELF
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"PK\x03\x04", b"\x1f\x8b", b"GIF8", b"\xff\xd8\xff", b"\x7fELF")
_TEXT_CONTROLS = frozenset(b"\t\n\r\f\v\x1b")
# the control bytes that text does not have, as the deletion table of bytes.translate (counted in C)
_BINARY_CONTROLS = bytes(b for b in range(256) if (b < 0x20 and b not in _TEXT_CONTROLS) or b == 0x7F)


def common_share(text: str) -> float:
    """Share of non-ASCII characters that are among the most common Chinese ones (0.0 when there are none)."""
    wide = [c for c in text if ord(c) > 0x7F]
    if not wide:
        return 0.0
    return sum(1 for c in wide if c in COMMON_CHINESE) / len(wide)


def looks_binary(data: bytes) -> bool:
    """NUL bytes, a known binary signature, or many control bytes: not a text file in any encoding we read."""
    if data.startswith(_BINARY_MAGIC):
        return True
    head = data[:65536]
    if b"\x00" in head:
        return True
    controls = len(head) - len(head.translate(None, _BINARY_CONTROLS))
    return controls > max(8, len(head) // 20)


def decode_bytes(data: bytes, path: str) -> tuple[str, str]:
    """Decoded text and the encoding name used; raises InputError for empty, binary or undecodable files."""
    if not data.strip():
        raise InputError(path, "empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise InputError(path, f"not valid {encoding} despite its byte-order mark ({exc.reason})") from None
            return _non_empty(text.lstrip("\ufeff"), path), encoding
    if looks_binary(data):
        unmarked = _utf16_without_bom(data)
        if unmarked is None:
            raise InputError(path, "binary file, not text")
        return _non_empty(unmarked[0], path), unmarked[1]
    try:
        return _non_empty(data.decode("utf-8"), path), "utf-8"
    except UnicodeDecodeError:
        pass
    best: tuple[float, str, str] | None = None
    for encoding in LEGACY_CANDIDATES:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        share = common_share(text)
        if best is None or share > best[0]:
            best = (share, encoding, text)
    if best is None or best[0] < MIN_COMMON_SHARE:
        tried = ", ".join(("utf-8", *LEGACY_CANDIDATES))
        raise InputError(path, f"cannot decode: not text in any of {tried}")
    return _non_empty(best[2], path), best[1]


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 saved without a byte-order mark: its NUL bytes (high bytes of ASCII) all sit on one parity."""
    if len(data) % 2:
        return None
    head = data[:65536]
    nul_even, nul_odd = head[0::2].count(0), head[1::2].count(0)
    if max(nul_even, nul_odd) < max(4, len(head) // 100):  # a stray NUL or two: binary, not UTF-16
        return None
    if nul_odd > 20 * nul_even:
        encoding = "utf-16-le"
    elif nul_even > 20 * nul_odd:
        encoding = "utf-16-be"
    else:
        return None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    sample = text[:20000]
    readable = sum(1 for c in sample if c.isprintable() or c in "\t\r\n")
    return (text, encoding) if readable >= 0.98 * len(sample) else None


def _non_empty(text: str, path: str) -> str:
    if not text.strip():
        raise InputError(path, "empty file")
    return text
