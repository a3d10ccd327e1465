"""``python -m warehouse.worker``: an RQ worker (with RQ's scheduler) for this app.

The app is built once in the worker process, so each job's work horse inherits
it instead of building its own.
"""

from __future__ import annotations

import argparse

from rq import Worker

from warehouse import create_app, jobs
from warehouse.infra import queue


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--burst", action="store_true", help="stop when the queues are empty")
    args = parser.parse_args()
    app = create_app()
    jobs.use_app(app)
    with app.app_context():
        queues = [queue.queue(name) for name in queue.QUEUES]
        worker = Worker(queues, connection=queue.connection())
    worker.work(burst=args.burst, with_scheduler=True, logging_level=app.config["LOG_LEVEL"])


if __name__ == "__main__":
    main()
