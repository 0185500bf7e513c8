"""The audio <Play> fetches: each URL fetched once (Twilio caches media too) and timed by its WAV header.

Nothing is played; what matters to a call is how long one play lasts, so the hold music's loops take their
real time and a caller hears the update that follows when a real caller would.
"""

from __future__ import annotations

import io
import threading
import wave

from callflow.carrier.webhook import _HTTP


class Media:
    """Lengths of the audio files calls play, by URL."""

    def __init__(self, default_seconds: float):
        self.default_seconds = default_seconds  # a file that is not WAV (MP3, say) cannot be timed here
        self._lengths: dict[str, float | None] = {}
        self._lock = threading.Lock()

    def seconds(self, url: str) -> float | None:
        """How long one play of `url` lasts; None when it cannot be fetched (Twilio then skips the <Play>)."""
        with self._lock:
            if url in self._lengths:
                return self._lengths[url]
        length = self._fetch(url)
        with self._lock:
            self._lengths[url] = length
        return length

    def _fetch(self, url: str) -> float | None:
        try:
            response = _HTTP.request("GET", url, headers={"User-Agent": "TwilioProxy/1.1 (callflow local carrier)"})
        except Exception:  # noqa: BLE001 - unreachable media is the app's problem, noted in the transcript
            return None
        if not 200 <= response.status < 300:
            return None
        try:
            with wave.open(io.BytesIO(response.data), "rb") as audio:
                return audio.getnframes() / audio.getframerate()
        except (wave.Error, EOFError):
            return self.default_seconds
