"""Train a CLIP-format byte-level BPE vocabulary from a caption corpus.

Pre-tokens come from the same cleanup and pre-tokeniser as `ClipTokenizer`, so a trained vocabulary
tokenizes its own corpus the way it was learned. The vocabulary layout is CLIP's: 256 byte characters,
the same 256 with `</w>`, one entry per merge (in merge order), then `<|startoftext|>`, `<|endoftext|>`.

Merge choice: the adjacent pair with the highest corpus frequency; ties go to the lexicographically
smallest (first, second) pair, so training is deterministic. A merge whose result string already exists
in the vocabulary is still written to merges.txt but adds no id (ids stay contiguous).
Training stops at `vocab_size` ids or when no pair reaches `min_frequency`.
"""
import heapq
import json
import os
from collections import Counter, defaultdict
from typing import Dict, Iterable, List, Set, Tuple

from .byte_unicode import END_OF_WORD, base_vocabulary, bytes_to_unicode
from .clip_tokenizer import MERGES_FILE, VOCAB_FILE
from .text_cleanup import END_OF_TEXT, SPECIAL_TOKENS, START_OF_TEXT, clean_text, pre_tokenize

MERGES_HEADER = "#version: 0.2"
MIN_VOCAB_SIZE = 512 + 2  # byte symbols (+ </w> forms) and the two special tokens


def _word_symbols(pre_token: str) -> Tuple[str, ...]:
    byte_encoder = bytes_to_unicode()
    chars = [byte_encoder[b] for b in pre_token.encode("utf-8")]
    return tuple(chars[:-1] + [chars[-1] + END_OF_WORD])


def count_words(corpus: Iterable[str]) -> Counter:
    counts: Counter = Counter()
    for text in corpus:
        for piece in pre_tokenize(clean_text(text)):
            if piece not in SPECIAL_TOKENS:
                counts[piece] += 1
    return counts


def learn_merges(word_counts: Dict[str, int], max_merges: int, base_size: int,
                 max_vocab_entries: int, min_frequency: int = 1) -> List[Tuple[str, str]]:
    words: List[List[str]] = [list(_word_symbols(w)) for w in word_counts]
    freqs: List[int] = list(word_counts.values())
    pair_counts: Dict[Tuple[str, str], int] = defaultdict(int)
    pair_words: Dict[Tuple[str, str], Set[int]] = defaultdict(set)
    for index, symbols in enumerate(words):
        for pair in zip(symbols, symbols[1:]):
            pair_counts[pair] += freqs[index]
            pair_words[pair].add(index)
    heap = [(-count, pair) for pair, count in pair_counts.items()]
    heapq.heapify(heap)

    merges: List[Tuple[str, str]] = []
    known: Set[str] = set(base_vocabulary())
    entries = base_size
    while heap and len(merges) < max_merges and entries < max_vocab_entries:
        negative_count, pair = heapq.heappop(heap)
        current = pair_counts.get(pair, 0)
        if current != -negative_count:  # stale heap entry
            if current > 0:
                heapq.heappush(heap, (-current, pair))
            continue
        if current < min_frequency:
            break
        merges.append(pair)
        merged_symbol = pair[0] + pair[1]
        if merged_symbol not in known:
            known.add(merged_symbol)
            entries += 1
        touched: Set[Tuple[str, str]] = set()
        for index in list(pair_words.get(pair, ())):
            symbols = words[index]
            freq = freqs[index]
            for old in zip(symbols, symbols[1:]):
                pair_counts[old] -= freq
                touched.add(old)
            new_symbols: List[str] = []
            k = 0
            while k < len(symbols):
                if k < len(symbols) - 1 and symbols[k] == pair[0] and symbols[k + 1] == pair[1]:
                    new_symbols.append(merged_symbol)
                    k += 2
                else:
                    new_symbols.append(symbols[k])
                    k += 1
            words[index] = new_symbols
            for new in zip(new_symbols, new_symbols[1:]):
                pair_counts[new] += freq
                pair_words[new].add(index)
                touched.add(new)
        for changed in touched:
            if pair_counts[changed] <= 0:
                pair_counts.pop(changed, None)
                pair_words.pop(changed, None)
            else:
                heapq.heappush(heap, (-pair_counts[changed], changed))
    return merges


def build_vocab(merges: List[Tuple[str, str]]) -> Dict[str, int]:
    vocab: Dict[str, int] = {}
    for symbol in base_vocabulary():
        vocab[symbol] = len(vocab)
    for first, second in merges:
        vocab.setdefault(first + second, len(vocab))
    vocab[START_OF_TEXT] = len(vocab)
    vocab[END_OF_TEXT] = len(vocab)
    return vocab


def _write_atomically(path: str, text: str) -> None:
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


def train_bpe(corpus: List[str], vocab_size: int, out_dir: str, min_frequency: int = 1) -> Tuple[str, str]:
    """Learn merges from `corpus`, write `vocab.json` and `merges.txt` into `out_dir`, return their paths.

    `vocab_size` is the maximum number of ids (>= 514); a small corpus may yield fewer.
    """
    if vocab_size < MIN_VOCAB_SIZE:
        raise ValueError(f"vocab_size must be at least {MIN_VOCAB_SIZE} (512 byte symbols + 2 special tokens)")
    merges = learn_merges(count_words(corpus), max_merges=vocab_size - MIN_VOCAB_SIZE,
                          base_size=512, max_vocab_entries=vocab_size - 2, min_frequency=min_frequency)
    vocab = build_vocab(merges)
    os.makedirs(out_dir, exist_ok=True)
    vocab_path = os.path.join(out_dir, VOCAB_FILE)
    merges_path = os.path.join(out_dir, MERGES_FILE)
    # merges first, vocab last, each written whole and renamed into place: `vocab.json` existing is the sign
    # that the folder is complete, and several processes training the same corpus at once (DDP ranks, two
    # runs sharing a tokenizer folder) only ever replace a complete file with an identical one.
    _write_atomically(merges_path, MERGES_HEADER + "\n" + "".join(f"{first} {second}\n" for first, second in merges))
    _write_atomically(vocab_path, json.dumps(vocab, ensure_ascii=False))
    return vocab_path, merges_path
