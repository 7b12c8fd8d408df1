"""Build src/notefix/data/charfreq.json: how often each character is written.

The repair engine weighs "is this two-character run more likely as written, or as the
one character it would decode to?" with these numbers. They come from wordfreq's word
lists (the most frequent words of every language it knows, weighted by frequency),
casefolded, as -log10 of each character's share. Run again when wordfreq updates:

    python scripts/build_charfreq.py
"""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

import wordfreq

WORDS_PER_LANGUAGE = 5000
OUT = Path(__file__).resolve().parent.parent / "src" / "notefix" / "data" / "charfreq.json"


def build() -> dict[str, float]:
    counts: Counter[str] = Counter()
    for lang in sorted(wordfreq.available_languages(wordlist="best")):
        seen = 0
        # Buckets are in centibels: bucket i holds words of frequency 10**(-i/100).
        for i, bucket in enumerate(wordfreq.get_frequency_list(lang, wordlist="best")):
            weight = 10 ** (-i / 100)
            for word in bucket:
                for ch in word.casefold():
                    counts[ch] += weight
            seen += len(bucket)
            if seen >= WORDS_PER_LANGUAGE:
                break
    total = sum(counts.values())
    return {ch: round(-math.log10(n / total), 2) for ch, n in sorted(counts.items())}


if __name__ == "__main__":
    OUT.write_text(json.dumps(build(), ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")
