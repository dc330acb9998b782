"""
Just enough of Standard MIDI File reading and writing for the beat corpus (no MIDI library is packaged here):
the tempo map (exact beat times come from it), the last event's tick (how long the song is), and moving one
channel's events to another channel (to give the drums a soundfont of their own in fluidsynth).
"""
from __future__ import annotations

import struct
from dataclasses import dataclass, field


@dataclass
class MidiEvent:
    tick: int  # absolute
    status: int  # 0xFF meta, 0xF0/0xF7 sysex, else channel status byte
    data: bytes  # for meta: type byte + payload; for channel events: data bytes


@dataclass
class MidiFile:
    fmt: int
    division: int  # ticks per quarter note
    tracks: list[list[MidiEvent]] = field(default_factory=list)

    def tempo_map(self) -> list[tuple[int, int]]:
        """(tick, microseconds per quarter) sorted by tick, always starting at tick 0 (default 500000)."""
        changes = sorted((e.tick, int.from_bytes(e.data[1:4], 'big')) for t in self.tracks for e in t if e.status == 0xFF and e.data[0] == 0x51)
        out = [(0, 500_000)]
        for tick, us in changes:
            if out[-1][0] == tick:
                out[-1] = (tick, us)
            else:
                out.append((tick, us))
        return out

    def time_signatures(self) -> list[tuple[int, int, int]]:
        """(tick, numerator, denominator) as written in the file."""
        return sorted((e.tick, e.data[1], 2 ** e.data[2]) for t in self.tracks for e in t if e.status == 0xFF and e.data[0] == 0x58)

    def last_tick(self) -> int:
        return max((e.tick for t in self.tracks for e in t), default=0)

    def channels_used(self) -> set[int]:
        return {e.status & 0x0F for t in self.tracks for e in t if 0x80 <= e.status < 0xF0}

    def ticks_to_seconds(self, ticks):
        """Exact seconds of each tick in `ticks` (iterable of ints) through the tempo map."""
        tmap = self.tempo_map()
        starts = [0.0]
        for (t0, us), (t1, _) in zip(tmap, tmap[1:]):
            starts.append(starts[-1] + (t1 - t0) * us / 1e6 / self.division)
        out = []
        j = 0
        for tick in ticks:
            while j + 1 < len(tmap) and tmap[j + 1][0] <= tick:
                j += 1
            while j > 0 and tmap[j][0] > tick:
                j -= 1
            t0, us = tmap[j]
            out.append(starts[j] + (tick - t0) * us / 1e6 / self.division)
        return out


def _read_varlen(buf: bytes, pos: int) -> tuple[int, int]:
    value = 0
    while True:
        b = buf[pos]
        pos += 1
        value = (value << 7) | (b & 0x7F)
        if not b & 0x80:
            return value, pos


def _write_varlen(value: int) -> bytes:
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))


_DATA_LEN = {0x80: 2, 0x90: 2, 0xA0: 2, 0xB0: 2, 0xC0: 1, 0xD0: 1, 0xE0: 2}


def read_midi(path) -> MidiFile:
    buf = open(path, 'rb').read()
    if buf[:4] != b'MThd':
        raise ValueError(f'{path}: not a MIDI file')
    hlen = struct.unpack('>I', buf[4:8])[0]
    fmt, ntracks, division = struct.unpack('>HHH', buf[8:14])
    if division & 0x8000:
        raise ValueError(f'{path}: SMPTE time division is not supported')
    midi = MidiFile(fmt, division)
    pos = 8 + hlen
    for _ in range(ntracks):
        if buf[pos:pos + 4] != b'MTrk':
            raise ValueError(f'{path}: bad track chunk')
        length = struct.unpack('>I', buf[pos + 4:pos + 8])[0]
        pos += 8
        end = pos + length
        tick = 0
        running = 0
        events: list[MidiEvent] = []
        while pos < end:
            delta, pos = _read_varlen(buf, pos)
            tick += delta
            status = buf[pos]
            if status == 0xFF:
                mtype = buf[pos + 1]
                n, p = _read_varlen(buf, pos + 2)
                events.append(MidiEvent(tick, 0xFF, bytes([mtype]) + buf[p:p + n]))
                pos = p + n
            elif status in (0xF0, 0xF7):
                n, p = _read_varlen(buf, pos + 1)
                events.append(MidiEvent(tick, status, buf[p:p + n]))
                pos = p + n
            else:
                if status & 0x80:
                    running = status
                    pos += 1
                else:
                    status = running
                n = _DATA_LEN[status & 0xF0]
                events.append(MidiEvent(tick, status, buf[pos:pos + n]))
                pos += n
        midi.tracks.append(events)
        pos = end
    return midi


def write_midi(midi: MidiFile, path) -> None:
    chunks = [b'MThd' + struct.pack('>IHHH', 6, midi.fmt, len(midi.tracks), midi.division)]
    for events in midi.tracks:
        body = bytearray()
        last = 0
        for e in sorted(events, key=lambda e: e.tick):
            body += _write_varlen(e.tick - last)
            last = e.tick
            if e.status == 0xFF:
                body += bytes([0xFF, e.data[0]]) + _write_varlen(len(e.data) - 1) + e.data[1:]
            elif e.status in (0xF0, 0xF7):
                body += bytes([e.status]) + _write_varlen(len(e.data)) + e.data
            else:
                body += bytes([e.status]) + e.data
        chunks.append(b'MTrk' + struct.pack('>I', len(body)) + bytes(body))
    with open(path, 'wb') as f:
        f.write(b''.join(chunks))


def move_channel(midi: MidiFile, src: int, dst: int, bank: int, program: int) -> None:
    """Moves every event of channel `src` to `dst` and selects (bank, program) there at tick 0 (drum kit swap)."""
    for events in midi.tracks:
        for i, e in enumerate(events):
            if 0x80 <= e.status < 0xF0 and (e.status & 0x0F) == src:
                if (e.status & 0xF0) in (0xC0, 0xB0) and ((e.status & 0xF0) == 0xC0 or e.data[0] in (0, 32)):
                    events[i] = MidiEvent(e.tick, 0xFF, bytes([0x01]) + b'dropped')  # the kit's own selects go
                    continue
                events[i] = MidiEvent(e.tick, (e.status & 0xF0) | dst, e.data)
    first = midi.tracks[-1] if midi.tracks else []
    first.extend([MidiEvent(0, 0xB0 | dst, bytes([0, bank >> 7 & 0x7F])), MidiEvent(0, 0xB0 | dst, bytes([32, bank & 0x7F])), MidiEvent(0, 0xC0 | dst, bytes([program]))])
