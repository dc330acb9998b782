"""
The MMA groove library as beat-corpus material: which groove files are used, how their bars divide into beats,
and which are held out for evaluation. MMA's own `Time` (quarter notes per bar) is the truth for bar length; the
time signature a groove file writes is sometimes wrong (vienesewaltz writes 4/4 for a 3-quarter bar), so beats
are derived from `Time` and a per-file beat unit, never from the MIDI time signature.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

MMA_LIB = Path('/usr/share/mma/lib/stdlib')

# Files that are not music to learn beats from (click tracks, an empty groove) or whose beat is ambiguous
# (afro-cuban: 3 quarters per bar written as 6/8).
EXCLUDED = {'metronome', 'metronome3', 'metronome6', 'metronome68', 'none', 'afro-cuban'}
# Compound meters written with 6 quarters per bar: the felt beat is the dotted half (2 beats a bar, 3 quarters each).
QUARTERS_PER_BEAT = {'68swing': 3, 'arpeggio68': 3, 'blues68': 3}
# Whole groove files never used in training (every meter family that has more than one file is represented).
HELD_OUT = ('bossanova', 'bvfunk', 'countrywaltz', 'fastswing', 'rockballad', 'ska', 'polka', 'blues68', 'trance',
            'salsa', 'jazzrock', 'slowblues', 'shuffleboggie', 'foxtrot', 'hillcountry')


@dataclass(frozen=True)
class GrooveFile:
    family: str  # file stem, e.g. "50srock"
    quarters_per_bar: int  # MMA Time
    quarters_per_beat: int
    main: tuple[str, ...]  # groove names to play sections with
    fills: tuple[str, ...]  # one-bar fills/breaks (may be empty)

    @property
    def beats_per_bar(self) -> int:
        return self.quarters_per_bar // self.quarters_per_beat


_DEF = re.compile(r'^\s*DefGroove\s+(\S+)', re.I | re.M)
_TIME = re.compile(r'^\s*Time\s+(\d+)', re.I | re.M)


def load_library(lib: Path = MMA_LIB) -> list[GrooveFile]:
    out = []
    for path in sorted(lib.glob('*.mma')):
        family = path.stem.lower()
        if family in EXCLUDED:
            continue
        text = path.read_text(errors='replace')
        times = {int(t) for t in _TIME.findall(text)}
        if len(times) > 1:
            continue  # a file that changes its bar length inside is not one meter
        qpb = times.pop() if times else 4
        names = _DEF.findall(text)
        main = tuple(n for n in names if not re.search(r'intro|end|fill|break', n, re.I))
        fills = tuple(n for n in names if re.search(r'fill|break', n, re.I))
        beat_q = QUARTERS_PER_BEAT.get(family, 1)
        if not main or qpb % beat_q:
            continue
        out.append(GrooveFile(family, qpb, beat_q, main, fills))
    return out
