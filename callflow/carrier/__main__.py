"""Run the local carrier standalone: `python -m callflow.carrier --port 8765 --number +1500=URL`."""

from __future__ import annotations

import argparse
import os
import threading
from collections.abc import Sequence

from callflow.carrier.server import DEFAULT_ACCOUNT_SID, Carrier


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m callflow.carrier", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--number", action="append", default=[], metavar="NUMBER=VOICE_URL",
                        help="route calls to NUMBER to the app's VOICE_URL (repeatable)")
    parser.add_argument("--status-callback", help="status callback URL for every --number")
    parser.add_argument("--account-sid", default=os.environ.get("TWILIO_ACCOUNT_SID", DEFAULT_ACCOUNT_SID))
    parser.add_argument("--auth-token", default=os.environ.get("TWILIO_AUTH_TOKEN", "local-carrier-token"))
    parser.add_argument("--rate", type=float, default=float(os.environ.get("CALLFLOW_CLOCK_RATE", "1")),
                        help="virtual seconds per real second (match the app's CALLFLOW_CLOCK_RATE)")
    return parser.parse_args(argv)


def build(args: argparse.Namespace) -> Carrier:
    """A carrier configured from parsed arguments, not yet started."""
    carrier = Carrier(args.account_sid, args.auth_token, rate=args.rate, host=args.host, port=args.port)
    for spec in args.number:
        number, _, voice_url = spec.partition("=")
        if not voice_url:
            raise SystemExit(f"--number wants NUMBER=VOICE_URL, got {spec!r}")
        carrier.add_number(number, voice_url, status_callback=args.status_callback)
    return carrier


def run(argv: Sequence[str] | None = None, stop: threading.Event | None = None) -> None:
    """Serve until interrupted (or until `stop` is set, for embedding)."""
    carrier = build(parse_args(argv)).start()
    print(f"local carrier on {carrier.url} (account {carrier.account_sid}, rate {carrier.clock.rate})",
          flush=True)
    try:
        (stop or threading.Event()).wait()
    except KeyboardInterrupt:
        pass
    finally:
        carrier.stop()


main = run

if __name__ == "__main__":
    run()
