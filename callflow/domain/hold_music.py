"""Hold music: the tune the project ships, the files the app serves, and how long one play of each lasts.

A caller on hold must hear something between updates (a minute of nothing sounds like a dropped call), so a
fresh install needs a tune it may play: `gentle-tune.wav` is composed by `compose()` below, from sine tones,
which makes it ours to license (see `callflow/audio/LICENCE.md`). `python -m callflow.domain.hold_music` writes it
again. A line names its own music in its script (`hold.music`): a WAV file the app serves (from the scripts'
`audio/` folder, or the shipped one) or a URL with its length. The hold manager loops one play of it
(`<Play loop=N>`) to fill the time until the next update, so it needs the length, read from the WAV header.
"""

from __future__ import annotations

import array
import io
import math
import re
import sys
import wave
from functools import lru_cache
from pathlib import Path

DEFAULT = "gentle-tune.wav"
SHIPPED = Path(__file__).parents[1] / "audio"
FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}\.wav$")  # a served file: no folders, WAV only
SAMPLE_RATE = 8000  # telephone quality: a phone line carries 8 kHz, so more would only make the file larger


def folders(ivr_scripts: Path) -> tuple[Path, ...]:
    """Where served hold music is looked for: the line's own files beside its scripts, then the shipped tune."""
    return (Path(ivr_scripts) / "audio", SHIPPED)


def find(name: str, ivr_scripts: Path) -> Path | None:
    """The file a script names, or None when no folder has it (or the name is not a plain WAV file name)."""
    if not FILE_NAME.match(name or ""):
        return None
    return next((folder / name for folder in folders(ivr_scripts) if (folder / name).is_file()), None)


def wav_seconds(source: Path | bytes) -> float:
    """The length of one play of a WAV file, from its header (wave.Error when it is not a WAV file)."""
    handle = io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")  # noqa: SIM115
    with handle, wave.open(handle, "rb") as audio:
        return audio.getnframes() / audio.getframerate()


@lru_cache(maxsize=64)
def served(name: str, ivr_scripts: Path) -> tuple[str, float] | None:
    """The file served for a script's `hold.music` and the length of one play, looked up once per process
    (the hold webhook asks for every holding caller; a file added later is served after a restart)."""
    path = find(name, ivr_scripts)
    return None if path is None else (name, wav_seconds(path))


# -- the shipped tune -------------------------------------------------------------------------------------
# A slow music-box arpeggio over I-vi-IV-V in C major: soft sine tones with a quiet octave, each fading out,
# so the loop's seam is as quiet as the notes' tails. 16 seconds, 8 kHz, 16-bit mono: 256 KB.
CHORDS = ((60, 64, 67, 72), (57, 60, 64, 69), (53, 57, 60, 65), (55, 59, 62, 67))
PATTERN = (0, 1, 2, 3, 2, 1, 2, 1)  # which chord tone each eighth note plays
NOTE_SECONDS = 0.5
LOUDNESS = 0.28  # of full scale: comfort, not a wake-up call


def _note(midi: int, seconds: float) -> list[float]:
    frequency = 440.0 * 2 ** ((midi - 69) / 12)
    samples = []
    for i in range(int(seconds * SAMPLE_RATE)):
        t = i / SAMPLE_RATE
        envelope = min(1.0, t / 0.01) * math.exp(-3.0 * t)  # a soft strike, then a long fade
        tone = math.sin(2 * math.pi * frequency * t) + 0.25 * math.sin(4 * math.pi * frequency * t)
        samples.append(envelope * tone / 1.25)
    return samples


def compose() -> bytes:
    """The shipped tune as WAV bytes (deterministic: the same bytes every time)."""
    length = int(len(CHORDS) * len(PATTERN) * NOTE_SECONDS * SAMPLE_RATE)
    mix = [0.0] * length
    ring = 1.5  # each note rings on under the next ones
    for c, chord in enumerate(CHORDS):
        for n, tone in enumerate(PATTERN):
            start = int((c * len(PATTERN) + n) * NOTE_SECONDS * SAMPLE_RATE)
            voices = [(chord[tone], 1.0)] + ([(chord[0] - 12, 0.6)] if n in (0, 4) else [])  # a bass every half
            for midi, gain in voices:
                for i, value in enumerate(_note(midi, ring)):
                    mix[(start + i) % length] += gain * value  # tails wrap round: the loop has no seam
    peak = max(abs(v) for v in mix) or 1.0
    pcm = array.array("h", (round(32767 * LOUDNESS * v / peak) for v in mix))
    if sys.byteorder == "big":
        pcm.byteswap()
    out = io.BytesIO()
    with wave.open(out, "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(SAMPLE_RATE)
        audio.writeframes(pcm.tobytes())
    return out.getvalue()


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else SHIPPED / DEFAULT
    target.write_bytes(compose())
    print(f"wrote {target} ({target.stat().st_size // 1024} KB, {wav_seconds(target):.1f} s)")
