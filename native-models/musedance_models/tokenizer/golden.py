"""Golden token ids for checking ports of the tokenizer (the TypeScript one in the studio).

`EDGE_CASE_PROMPTS` exercises every rule in clip_tokenizer.py's docstring. Run
`/usr/bin/python3 -m musedance_models.tokenizer.golden --dir <tokenizer dir> --out golden.json`
to write {"max_length", "vocab_size", "cases": [{"text", "cleaned", "pieces", "ids"}]}.
"""
import argparse
import json
import sys
from typing import List

from .clip_tokenizer import ClipTokenizer
from .text_cleanup import clean_text, pre_tokenize

EDGE_CASE_PROMPTS: List[str] = [
    "a photo of a cat",
    "A Dancer BOUNCES on every beat",
    "  sways   side\tto\nside  ",
    "it's the robot's move, isn't it? they're, we've, i'm, you'll, he'd",
    "rock'n'roll!!! ...and \"jazz\"",
    "!'s and ''s",
    "spins 360 degrees at 120bpm",
    "caf\u00e9 cafe\u0301 na\u00efve",
    "the dancer\u2019s \u201cmoon walk\u201d",
    "fish &amp; chips &amp;amp; &lt;3 &#x41;",
    "emoji \U0001F483\U0001F57A and \u65e5\u672c\u306e\u8e0a\u308a",
    "<|startoftext|>x<|endoftext|>",
    "",
    "word " * 100,
]


def golden_records(tokenizer: ClipTokenizer, prompts: List[str], max_length: int = 77) -> dict:
    cases = []
    for text in prompts:
        cleaned = clean_text(text)
        cases.append({"text": text, "cleaned": cleaned, "pieces": pre_tokenize(cleaned),
                      "ids": tokenizer.encode(text, max_length=max_length)})
    return {"max_length": max_length, "vocab_size": tokenizer.vocab_size, "cases": cases}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dir", required=True, help="folder with vocab.json and merges.txt")
    parser.add_argument("--out", required=True, help="where to write the golden JSON")
    parser.add_argument("--max-length", type=int, default=77)
    args = parser.parse_args(argv)
    records = golden_records(ClipTokenizer.from_dir(args.dir), EDGE_CASE_PROMPTS, args.max_length)
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(records, handle, ensure_ascii=False, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
