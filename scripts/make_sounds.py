#!/usr/bin/env python3
"""Generate Lobbylink's alert sounds (resources/sounds/*.wav) with the stdlib only.

One short, soft, clearly different tone per priority, so a teller hears *what kind*
of call is waiting without looking: 1 urgent (quick rising triple), 2 (ding-dong),
3 (single chime), 4 (low soft blip); plus ``acknowledged.wav``, the short rising
two-note notice a raiser hears when someone claims the call, and ``duress.wav``, the
alternating alarm of a silent emergency at the stations that watch for one.

Run: .venv/bin/python scripts/make_sounds.py   (deterministic: same bytes every time)
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 22_050
PEAK = 0.55  # of full scale: pleasant at a normal desk volume, never clipping

# (frequency Hz, start s, length s) notes per sound
SOUNDS: dict[str, list[tuple[float, float, float]]] = {
    "priority1": [(880.0, 0.00, 0.16), (1108.7, 0.18, 0.16), (1318.5, 0.36, 0.34)],
    "priority2": [(784.0, 0.00, 0.30), (622.3, 0.28, 0.50)],
    "priority3": [(659.3, 0.00, 0.60)],
    "priority4": [(440.0, 0.00, 0.35)],
    "acknowledged": [(523.3, 0.00, 0.14), (784.0, 0.12, 0.26)],
    # A duress (silent alarm), heard only at its watchers (supervisor, branch head): a
    # low-high alternation repeated three times, unlike any call, as a two-tone alarm is
    # (EN 54-3's alternating tones; hospital "code" alarms use a pattern, not a pitch).
    "duress": [(587.3 if i % 2 == 0 else 987.8, i * 0.19, 0.17) for i in range(6)],
}


def note(freq: float, length: float) -> list[float]:
    """A bell-like note: fundamental plus soft harmonics, quick attack, exponential decay."""
    count = int(RATE * length)
    attack = int(RATE * 0.006)
    release = int(RATE * 0.02)
    out = []
    for i in range(count):
        t = i / RATE
        env = math.exp(-4.0 * t / length)
        if i < attack:
            env *= i / attack
        if i > count - release:
            env *= (count - i) / release
        value = (
            math.sin(2 * math.pi * freq * t)
            + 0.30 * math.sin(2 * math.pi * 2 * freq * t)
            + 0.12 * math.sin(2 * math.pi * 3 * freq * t)
        ) / 1.42
        out.append(value * env)
    return out


def render(notes: list[tuple[float, float, float]]) -> bytes:
    total = max(start + length for _f, start, length in notes) + 0.03
    mix = [0.0] * int(RATE * total)
    for freq, start, length in notes:
        offset = int(RATE * start)
        for i, value in enumerate(note(freq, length)):
            mix[offset + i] += value
    top = max(abs(v) for v in mix) or 1.0
    scale = PEAK * 32767 / top
    return b"".join(struct.pack("<h", round(v * scale)) for v in mix)


def main() -> None:
    folder = Path(__file__).resolve().parent.parent / "resources" / "sounds"
    folder.mkdir(parents=True, exist_ok=True)
    for name, notes in SOUNDS.items():
        path = folder / f"{name}.wav"
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(RATE)
            out.writeframes(render(notes))
        print(f"{path.relative_to(folder.parent.parent)}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
