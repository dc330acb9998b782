"""Text normalisation and pre-tokenisation exactly as CLIP's tokenizer does it (minus ftfy).

CLIP (openai/CLIP simple_tokenizer.py) runs: ftfy.fix_text -> html.unescape twice -> strip ->
collapse whitespace -> lowercase -> regex pre-tokenisation. ftfy is not installed here; we apply the two
parts of ftfy.fix_text that change ordinary prompts (NFC normalisation and quote uncurling) and document the
rest as not applied. The pre-tokeniser regex uses \\p{L} / \\p{N}, which Python's `re` lacks, so
`pre_tokenize` is a hand-written scanner with the same leftmost-first alternation semantics.
"""
import html
import re
import unicodedata
from typing import List

START_OF_TEXT = "<|startoftext|>"
END_OF_TEXT = "<|endoftext|>"
SPECIAL_TOKENS = (START_OF_TEXT, END_OF_TEXT)
# Order matters: a regex alternation takes the first alternative that matches at a position.
CONTRACTIONS = ("'s", "'t", "'re", "'ve", "'m", "'ll", "'d")

# ftfy.fix_text(uncurl_quotes=True): these become ASCII quotes.
_SINGLE_QUOTES = re.compile("[\u02bc\u2018-\u201b]")
_DOUBLE_QUOTES = re.compile("[\u201c-\u201f]")
_WHITESPACE_RUN = re.compile(r"\s+")


def clean_text(text: str) -> str:
    """NFC, uncurl quotes, html.unescape twice, strip, collapse whitespace runs to one space, lowercase."""
    text = unicodedata.normalize("NFC", text)
    text = _SINGLE_QUOTES.sub("'", text)
    text = _DOUBLE_QUOTES.sub('"', text)
    text = html.unescape(html.unescape(text))
    text = text.strip()
    text = _WHITESPACE_RUN.sub(" ", text).strip()
    return text.lower()


def _is_letter(ch: str) -> bool:
    return unicodedata.category(ch).startswith("L")


def _is_number(ch: str) -> bool:
    return unicodedata.category(ch).startswith("N")


def _is_space(ch: str) -> bool:
    return ch.isspace()


def pre_tokenize(text: str) -> List[str]:
    """Split cleaned text like CLIP's regex:

    <|startoftext|> | <|endoftext|> | 's|'t|'re|'ve|'m|'ll|'d | \\p{L}+ | \\p{N} | [^\\s\\p{L}\\p{N}]+

    (case-insensitive; the text is already lowercase). Characters matching none (whitespace) are skipped.
    A digit is always its own pre-token; a punctuation run is greedy, so "!'s" gives "!'" and "s".
    """
    pieces: List[str] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        matched = None
        for special in SPECIAL_TOKENS:
            if text.startswith(special, i):
                matched = special
                break
        if matched is None:
            for contraction in CONTRACTIONS:
                if text.startswith(contraction, i):
                    matched = contraction
                    break
        if matched is not None:
            pieces.append(matched)
            i += len(matched)
            continue
        if _is_letter(ch):
            j = i + 1
            while j < n and _is_letter(text[j]):
                j += 1
            pieces.append(text[i:j])
            i = j
        elif _is_number(ch):
            pieces.append(ch)
            i += 1
        elif _is_space(ch):
            i += 1
        else:
            j = i + 1
            while j < n and not (_is_letter(text[j]) or _is_number(text[j]) or _is_space(text[j])):
                j += 1
            pieces.append(text[i:j])
            i = j
    return pieces
