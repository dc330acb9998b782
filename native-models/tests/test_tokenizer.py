"""CLIP-format BPE tokenizer and trainer."""
import json
import os

import pytest

from musedance_models.tokenizer import ClipTokenizer, TokenizerFileError, clean_text, pre_tokenize, train_bpe
from musedance_models.tokenizer.byte_unicode import base_vocabulary, bytes_to_unicode
from musedance_models.tokenizer.golden import EDGE_CASE_PROMPTS, golden_records

CAPTIONS = [
    "a dancer bounces on every beat",
    "a red robot sways side to side",
    "a cat spins on the downbeat",
    "a blue dancer sways and spins",
    "the robot bounces on the downbeat",
] * 4


def test_byte_alphabet_covers_every_byte_with_printable_characters():
    table = bytes_to_unicode()
    assert len(table) == 256 and len(set(table.values())) == 256
    assert table[ord("a")] == "a" and table[ord(" ")] == "\u0120"  # space -> 'Ġ' as in CLIP/GPT-2
    assert all(ch.isprintable() and not ch.isspace() for ch in table.values())


def test_cleanup_unescapes_twice_collapses_whitespace_lowercases_and_uncurls_quotes():
    assert clean_text("  Fish &amp;amp; CHIPS\t\n now ") == "fish & chips now"
    assert clean_text("the dancer\u2019s \u201cmove\u201d") == "the dancer's \"move\""
    assert clean_text("cafe\u0301") == "caf\u00e9"  # NFC


def test_pre_tokenizer_follows_clip_regex_alternation():
    assert pre_tokenize("it's the robot's move, isn't it?") == [
        "it", "'s", "the", "robot", "'s", "move", ",", "isn", "'t", "it", "?"]
    assert pre_tokenize("rock'n'roll!!! 120bpm") == ["rock", "'", "n", "'", "roll", "!!!", "1", "2", "0", "bpm"]
    assert pre_tokenize("!'s ''s") == ["!'", "s", "''", "s"]  # punctuation runs are greedy
    assert pre_tokenize("<|startoftext|>x<|endoftext|>") == ["<|startoftext|>", "x", "<|endoftext|>"]
    assert pre_tokenize("\u65e5\u672c\u306e \U0001F483\U0001F57A") == ["\u65e5\u672c\u306e", "\U0001F483\U0001F57A"]


def test_trained_files_have_clip_layout(tmp_path):
    vocab_path, merges_path = train_bpe(CAPTIONS, 600, str(tmp_path))
    vocab = json.load(open(vocab_path, encoding="utf-8"))
    ids = sorted(vocab.values())
    assert ids == list(range(len(vocab))) and len(vocab) <= 600
    ordered = sorted(vocab, key=vocab.get)
    assert ordered[:512] == base_vocabulary()
    assert ordered[-2:] == ["<|startoftext|>", "<|endoftext|>"]
    lines = open(merges_path, encoding="utf-8").read().splitlines()
    assert lines[0] == "#version: 0.2"
    for line in lines[1:]:
        first, second = line.split(" ")
        assert first + second in vocab
    # Every caption word became a single token: the corpus is tokenized the way it was learned.
    tokenizer = ClipTokenizer(vocab_path, merges_path)
    assert tokenizer.symbols("A dancer BOUNCES on every beat") == [
        "a</w>", "dancer</w>", "bounces</w>", "on</w>", "every</w>", "beat</w>"]


def test_vocab_size_caps_ids_and_training_is_deterministic(tmp_path):
    train_bpe(CAPTIONS, 520, str(tmp_path / "a"))
    train_bpe(CAPTIONS, 520, str(tmp_path / "b"))
    small = ClipTokenizer.from_dir(str(tmp_path / "a"))
    assert small.vocab_size == 520
    for name in ("vocab.json", "merges.txt"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    # Unseen words still encode through byte symbols, and decode back.
    assert small.decode(small.encode("zebra quickstep 9")) == "zebra quickstep 9"
    with pytest.raises(ValueError):
        train_bpe(CAPTIONS, 100, str(tmp_path / "c"))


def test_encode_adds_bos_eos_pads_with_eos_and_truncates_keeping_eos(tmp_path):
    train_bpe(CAPTIONS, 600, str(tmp_path))
    tok = ClipTokenizer.from_dir(str(tmp_path))
    bos, eos = tok.bos_token_id, tok.eos_token_id
    ids = tok.encode("a cat spins")
    assert len(ids) == 77 and ids[0] == bos and ids[4] == eos and set(ids[4:]) == {eos}
    assert ids[1:4] == tok.encode_tokens("a cat spins")
    assert tok.encode("") == [bos] + [eos] * 76
    long_ids = tok.encode("beat " * 200, max_length=77)
    assert len(long_ids) == 77 and long_ids[0] == bos and long_ids[-1] == eos
    assert long_ids[1:76] == [tok.encoder["beat</w>"]] * 75
    assert tok.encode("a cat", max_length=None) == [bos, tok.encoder["a</w>"], tok.encoder["cat</w>"], eos]


def _write_clip_layout_files(directory):
    """A vocab/merges pair in the real CLIP layout: real CLIP ids for a, photo, of, cat and the specials."""
    vocab = {symbol: i for i, symbol in enumerate(base_vocabulary())}
    merge_lines = ["p h", "ph o", "pho t", "phot o</w>", "o f</w>", "c a", "ca t</w>"]
    next_id = 600
    for line in merge_lines:
        vocab[line.replace(" ", "")] = next_id
        next_id += 1
    vocab.update({"photo</w>": 1125, "of</w>": 539, "cat</w>": 2368,
                  "<|startoftext|>": 49406, "<|endoftext|>": 49407})
    with open(os.path.join(directory, "vocab.json"), "w", encoding="utf-8") as handle:
        json.dump(vocab, handle)
    with open(os.path.join(directory, "merges.txt"), "w", encoding="utf-8") as handle:
        handle.write("#version: 0.2\n" + "\n".join(merge_lines) + "\n")


def test_reads_real_clip_file_layout_with_ids_from_vocab_json(tmp_path):
    _write_clip_layout_files(str(tmp_path))
    tok = ClipTokenizer.from_dir(str(tmp_path))
    assert tok.vocab_size == 49408
    # CLIP ViT-L/14 tokenizes "a photo of a cat" to these ids.
    assert tok.encode("a photo of a cat", max_length=None) == [49406, 320, 1125, 539, 320, 2368, 49407]
    assert tok.encode("A Photo of a CAT", max_length=8)[-1] == 49407


def test_broken_files_raise_a_clear_error(tmp_path):
    with pytest.raises(TokenizerFileError, match="cannot read vocab"):
        ClipTokenizer.from_dir(str(tmp_path))
    (tmp_path / "vocab.json").write_text("{not json")
    (tmp_path / "merges.txt").write_text("#version: 0.2\n")
    with pytest.raises(TokenizerFileError, match="not valid JSON"):
        ClipTokenizer.from_dir(str(tmp_path))
    (tmp_path / "vocab.json").write_text(json.dumps({"a": 0}))
    with pytest.raises(TokenizerFileError, match="special token"):
        ClipTokenizer.from_dir(str(tmp_path))
    _write_clip_layout_files(str(tmp_path))
    (tmp_path / "merges.txt").write_text("#version: 0.2\np h x\n")
    with pytest.raises(TokenizerFileError, match="expected two symbols"):
        ClipTokenizer.from_dir(str(tmp_path))


def test_golden_records_cover_edge_cases(tmp_path):
    train_bpe(CAPTIONS, 600, str(tmp_path))
    records = golden_records(ClipTokenizer.from_dir(str(tmp_path)), EDGE_CASE_PROMPTS)
    assert len(records["cases"]) == len(EDGE_CASE_PROMPTS)
    assert all(len(case["ids"]) == 77 for case in records["cases"])
    special = next(c for c in records["cases"] if c["text"].startswith("<|startoftext|>"))
    assert special["ids"][:4] == [records["vocab_size"] - 2] * 2 + [ClipTokenizer.from_dir(str(tmp_path)).encoder["x</w>"], records["vocab_size"] - 1]


def _train_into(out_dir):
    train_bpe(CAPTIONS * 20, 700, out_dir)


def test_processes_training_the_same_folder_at_once_never_expose_a_partial_file(tmp_path):
    # DDP ranks each train the run's tokenizer into one folder; a rank that saw `vocab.json` used to read it
    # half written and fail (the gloo peer then died with 'Connection closed by peer').
    import multiprocessing

    out = str(tmp_path / "tok")
    ctx = multiprocessing.get_context("fork")
    writers = [ctx.Process(target=_train_into, args=(out,)) for _ in range(4)]
    for w in writers:
        w.start()
    reads = 0
    while any(w.is_alive() for w in writers) or reads == 0:
        if os.path.exists(os.path.join(out, "vocab.json")):
            ClipTokenizer.from_dir(out)   # raises TokenizerFileError on a partial file
            reads += 1
    for w in writers:
        w.join()
        assert w.exitcode == 0
    assert not [n for n in os.listdir(out) if n.endswith(".tmp")]
