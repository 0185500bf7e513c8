"""The `callflow` command: serve the app, run workers, upgrade the database, lint scripts.

One module per subject (`database`, `agents`, `scripts`, `steering`, `serving`, `worker`, `bench`); `app.py`
is the command group, which imports a subject's module only when one of its commands runs, so `callflow lint`
does not start what `callflow worker` needs.
"""

from __future__ import annotations

from callflow.cli.app import main

__all__ = ["main"]
