"""`callflow worker`: an RQ worker (with its scheduler) for callbacks, summaries and everything queued."""

from __future__ import annotations

import logging
import threading
import time

import click
import redis
from rq import SimpleWorker, Worker
from rq.job import JobStatus

from callflow import log_masking
from callflow.jobs import preload
from callflow.runtime import JOB_QUEUE
from callflow.services import metrics
from callflow.services.worker import watch_due_callbacks, watch_interpreter_waits, watch_sweeper
from callflow.settings import Settings
from callflow.store import db as database
from callflow.store.connections import redis_connection


@click.command()
@click.option("--burst", is_flag=True, help="stop when the queue is empty")
@click.option("--fork", is_flag=True,
              help="run each job in a forked work-horse (isolation, at the cost of cold connections per job)")
def worker(burst: bool, fork: bool) -> None:
    """Run an RQ worker (with its scheduler) for callbacks and summaries.

    Jobs run in the worker process itself by default: they are short and I/O-bound, and a fork per job threw
    away the database, Redis and Twilio connections and the compiled SQL each time (docs/benchmarks.md,
    Callbacks). A worker that dies mid-job loses nothing either way: claims, leases and the sweeper cover it.
    """
    settings = Settings.from_env()
    metrics.share_across_processes(settings.instance_path)  # counted with the web processes' (docs/metrics.md)
    if not settings.database_url:  # the embedded default: its schema is ours to make, as `serve` does
        database.upgrade(settings.effective_database_url())
    runtime = preload()  # built once here and inherited by every job's work-horse
    log_masking.install([runtime.settings.twilio_auth_token, runtime.settings.secret_key])
    if not burst:  # the callback sweeper (reclaims what dead workers or a lost Redis left) always runs
        threading.Thread(target=watch_sweeper, args=(runtime,), daemon=True, name="sweeper-watch").start()
        threading.Thread(target=watch_due_callbacks, args=(runtime,), daemon=True, name="callback-timer").start()
        threading.Thread(target=watch_interpreter_waits, args=(runtime,), daemon=True,
                         name="interpreter-timer").start()
    # RQ's own connection pool: RQ raises its socket timeout above its blocking dequeue's, which reaches only
    # connections opened after that; the runtime's pool already holds connections with its 5 s timeout, so an
    # idle worker's dequeue on one of them timed out and backed off for up to a minute with jobs waiting.
    connection = redis_connection(runtime.settings)
    while True:  # Redis going away ends RQ's worker loop ("unhandled exception, quitting"): start another
        rq_worker = (ForkingWorker if fork else InProcessWorker)([JOB_QUEUE], connection=connection)
        try:
            rq_worker.work(burst=burst, with_scheduler=True)
            if burst or rq_worker._stop_requested or rq_worker._shutdown_requested_date is not None:
                return  # asked to stop (SIGTERM, SIGINT), or the burst is done
        except (redis.ConnectionError, redis.TimeoutError):
            pass
        logging.getLogger("callflow.worker").warning("the RQ worker stopped (Redis lost?); starting another")
        while not _pings(runtime.redis):
            time.sleep(1)


class StopsPromptly:
    """A worker asked to stop (SIGTERM from `docker compose stop`, a deploy) stops within a second, not a minute.

    RQ's teardown stops the thread listening for worker commands with redis-py's `PubSubWorkerThread.stop()`,
    which since redis-py 8 waits for the thread without a limit; the thread may be in a 60 s read (RQ's
    `sleep_time`), so a stopping worker hung for up to 60 s, past docker's 10 s grace, and was killed. The
    thread is a daemon that only listens: waiting a second for it loses nothing.
    """

    def unsubscribe(self):
        if self.pubsub_thread:
            self.pubsub.unsubscribe()
            self.pubsub_thread.stop(timeout=1)
            self.pubsub.close()


class CountsJobs:
    """Each job run is counted for /metrics, by the process that ran it."""

    def handle_job_success(self, job, *args, **kwargs):
        result = super().handle_job_success(job, *args, **kwargs)
        metrics.job_done(job.func_name, "done")
        return result

    def handle_job_failure(self, job, *args, **kwargs):
        result = super().handle_job_failure(job, *args, **kwargs)
        metrics.job_done(job.func_name, "failed")
        return result


class InProcessWorker(StopsPromptly, CountsJobs, SimpleWorker):
    """Jobs run in the worker process itself (the default)."""


class ForkingWorker(StopsPromptly, Worker):
    """Each job in a forked work-horse (`--fork`), counted by the worker once the horse is done: a horse's own
    counts would each leave a file in the metrics folder."""

    def execute_job(self, job, queue):
        super().execute_job(job, queue)
        metrics.job_done(job.func_name, "done" if job.get_status(refresh=True) == JobStatus.FINISHED else "failed")


def _pings(connection) -> bool:
    """Whether Redis answers now."""
    try:
        return bool(connection.ping())
    except (OSError, redis.RedisError):
        return False
