"""Work a use case leaves for a worker: RQ jobs named by their entry point in `callflow.jobs`.

Services name a job rather than import `callflow.jobs` (which imports every service: a circle). The name is
also what RQ keeps in Redis, so it is the same `callflow.jobs.<name>` a job enqueued by an older process has.
"""

from __future__ import annotations

from rq import Retry

JOBS_MODULE = "callflow.jobs."
# Database work is retried with backoff (real seconds) so a database outage delays summaries but loses none.
DATABASE_RETRY = Retry(max=10, interval=[1, 2, 5, 10, 30, 60, 120, 300, 600, 900])


def enqueue(rt, job: str, *args, **kwargs):
    """Queue `callflow.jobs.<job>(*args)` for a worker now."""
    return rt.jobs.enqueue(JOBS_MODULE + job, *args, **kwargs)


def schedule(rt, virtual_seconds: float, job: str, *args):
    """Queue `callflow.jobs.<job>(*args)` to run after a delay on the shared clock."""
    return rt.schedule(virtual_seconds, JOBS_MODULE + job, *args)
