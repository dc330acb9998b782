"""CLIP-format byte-level BPE: tokenizer (`ClipTokenizer`) and trainer (`train_bpe`). See clip_tokenizer.py
for the exact encoding rules a port must follow."""
from .bpe_trainer import train_bpe
from .clip_tokenizer import ClipTokenizer, TokenizerFileError
from .text_cleanup import clean_text, pre_tokenize

__all__ = ["ClipTokenizer", "TokenizerFileError", "train_bpe", "clean_text", "pre_tokenize"]
