"""CLIP's BPE tokenizer over `vocab.json` + `merges.txt` (Hugging Face CLIPTokenizer file format).

Works with the files `train_bpe` writes and with real CLIP files (e.g. SD1.5's `tokenizer/` folder).

Exact behaviour (the TypeScript port must reproduce every point; golden ids come from this class):
1. `clean_text` (text_cleanup.py): Unicode NFC; U+02BC and U+2018..U+201B -> "'"; U+201C..U+201F -> '"';
   `html.unescape` applied twice (HTML5 named and numeric character references, as Python implements them);
   strip; every run of Unicode whitespace (Python `str.isspace`) -> one space; strip; `str.lower()`.
   Not applied: the rest of ftfy.fix_text (mojibake repair, ligature/width folding, control-char removal),
   which openai/CLIP runs when ftfy is installed.
2. `pre_tokenize`: CLIP's regex, leftmost-first alternation (see text_cleanup.py). "<|startoftext|>" and
   "<|endoftext|>" typed in a prompt become the special ids, as in CLIP.
3. Each pre-token -> UTF-8 bytes -> byte-unicode characters; the last character gets "</w>"; BPE merges the
   lowest-ranked adjacent pair (rank = line order in merges.txt after the "#version" header), all its
   non-overlapping occurrences left to right, until no ranked pair remains.
4. Each resulting symbol -> its id in vocab.json; a symbol missing from vocab.json (only possible with
   hand-edited files) -> the `<|endoftext|>` id, as Hugging Face's unk_token does.
5. `encode`: [BOS] + ids + [EOS], truncated to `max_length` keeping BOS and EOS (BOS + first
   max_length-2 ids + EOS), padded to `max_length` with the EOS id (SD1.5's tokenizer pads with
   `<|endoftext|>`; openai/CLIP's clip.tokenize pads with 0 instead). Empty text -> [BOS, EOS, EOS...].
6. merges.txt: the first line is skipped when it starts with "#version"; blank lines are ignored; only the
   first 48894 merges are read (49408 - 256*2 - 2), the same cap Hugging Face's CLIPTokenizer applies.
"""
import json
import os
from typing import Dict, List, Optional, Sequence, Tuple

from .byte_unicode import END_OF_WORD, bytes_to_unicode
from .text_cleanup import END_OF_TEXT, START_OF_TEXT, clean_text, pre_tokenize

CLIP_MAX_MERGES = 49408 - 512 - 2  # = 48894, Hugging Face's slice of merges.txt
VOCAB_FILE = "vocab.json"
MERGES_FILE = "merges.txt"


class TokenizerFileError(ValueError):
    """vocab.json / merges.txt missing or malformed."""


def read_merges(merges_path: str) -> List[Tuple[str, str]]:
    try:
        with open(merges_path, encoding="utf-8") as handle:
            lines = handle.read().split("\n")
    except OSError as err:
        raise TokenizerFileError(f"cannot read merges file {merges_path}: {err.strerror}") from err
    if lines and lines[0].startswith("#version"):
        lines = lines[1:]
    merges: List[Tuple[str, str]] = []
    for number, line in enumerate(lines, start=2):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 2:
            raise TokenizerFileError(f"{merges_path}:{number}: expected two symbols, got {line!r}")
        merges.append((parts[0], parts[1]))
        if len(merges) == CLIP_MAX_MERGES:
            break
    return merges


def read_vocab(vocab_path: str) -> Dict[str, int]:
    try:
        with open(vocab_path, encoding="utf-8") as handle:
            vocab = json.load(handle)
    except OSError as err:
        raise TokenizerFileError(f"cannot read vocab file {vocab_path}: {err.strerror}") from err
    except json.JSONDecodeError as err:
        raise TokenizerFileError(f"{vocab_path} is not valid JSON: {err}") from err
    if not isinstance(vocab, dict) or not all(isinstance(v, int) for v in vocab.values()):
        raise TokenizerFileError(f"{vocab_path} must be a JSON object mapping token -> integer id")
    for special in (START_OF_TEXT, END_OF_TEXT):
        if special not in vocab:
            raise TokenizerFileError(f"{vocab_path} lacks the special token {special}")
    return vocab


def _pairs(word: Sequence[str]):
    return {(word[k], word[k + 1]) for k in range(len(word) - 1)}


class ClipTokenizer:
    def __init__(self, vocab_path: str, merges_path: str):
        self.vocab_path = vocab_path
        self.merges_path = merges_path
        self.encoder: Dict[str, int] = read_vocab(vocab_path)
        self.decoder: Dict[int, str] = {i: t for t, i in self.encoder.items()}
        self.merge_ranks: Dict[Tuple[str, str], int] = {
            pair: rank for rank, pair in enumerate(read_merges(merges_path))
        }
        self.byte_encoder = bytes_to_unicode()
        self.byte_decoder = {c: b for b, c in self.byte_encoder.items()}
        self.bos_token_id = self.encoder[START_OF_TEXT]
        self.eos_token_id = self.encoder[END_OF_TEXT]
        self.pad_token_id = self.eos_token_id
        self._cache: Dict[str, List[str]] = {}

    @classmethod
    def from_dir(cls, directory: str) -> "ClipTokenizer":
        return cls(os.path.join(directory, VOCAB_FILE), os.path.join(directory, MERGES_FILE))

    @property
    def vocab_size(self) -> int:
        """Number of ids, i.e. the text encoder's embedding rows (max id + 1)."""
        return max(self.encoder.values()) + 1

    def bpe(self, pre_token: str) -> List[str]:
        """BPE symbols of one pre-token (already byte-unicode encoded)."""
        if pre_token in (START_OF_TEXT, END_OF_TEXT):
            return [pre_token]
        cached = self._cache.get(pre_token)
        if cached is not None:
            return cached
        word = list(pre_token[:-1]) + [pre_token[-1] + END_OF_WORD]
        while len(word) > 1:
            ranked = [(self.merge_ranks[p], p) for p in _pairs(word) if p in self.merge_ranks]
            if not ranked:
                break
            first, second = min(ranked)[1]
            merged: List[str] = []
            k = 0
            while k < len(word):
                if k < len(word) - 1 and word[k] == first and word[k + 1] == second:
                    merged.append(first + second)
                    k += 2
                else:
                    merged.append(word[k])
                    k += 1
            word = merged
        self._cache[pre_token] = word
        return word

    def symbols(self, text: str) -> List[str]:
        """BPE symbols of `text` without BOS/EOS (for inspection and golden files)."""
        out: List[str] = []
        for piece in pre_tokenize(clean_text(text)):
            if piece in (START_OF_TEXT, END_OF_TEXT):
                out.append(piece)
                continue
            encoded = "".join(self.byte_encoder[b] for b in piece.encode("utf-8"))
            out.extend(self.bpe(encoded))
        return out

    def encode_tokens(self, text: str) -> List[int]:
        """Ids of `text` without BOS/EOS, without truncation or padding."""
        return [self.encoder.get(s, self.eos_token_id) for s in self.symbols(text)]

    def encode(self, text: str, max_length: Optional[int] = 77) -> List[int]:
        """[BOS] + ids + [EOS], truncated to max_length (keeping EOS) and padded with EOS; None = no limit."""
        ids = self.encode_tokens(text)
        if max_length is None:
            return [self.bos_token_id] + ids + [self.eos_token_id]
        if max_length < 2:
            raise ValueError("max_length must be at least 2 (BOS and EOS)")
        ids = ids[: max_length - 2]
        out = [self.bos_token_id] + ids + [self.eos_token_id]
        return out + [self.pad_token_id] * (max_length - len(out))

    def decode(self, ids: Sequence[int], skip_special: bool = True) -> str:
        """Inverse of encode up to cleanup: `</w>` becomes a space."""
        pieces = []
        for i in ids:
            token = self.decoder.get(int(i))
            if token is None or (skip_special and token in (START_OF_TEXT, END_OF_TEXT)):
                continue
            pieces.append(token)
        text = "".join(pieces)
        words = []
        for chunk in text.split(END_OF_WORD):
            raw = bytearray(self.byte_decoder[c] for c in chunk if c in self.byte_decoder)
            words.append(raw.decode("utf-8", "replace"))
        return " ".join(words).strip()
