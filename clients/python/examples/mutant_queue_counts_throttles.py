#!/usr/bin/env python3
"""A twin of the SQLite-queue extension that must NOT certify: it counts a throttle as a refusal.

The style's own behaviour before explore:202 found it. A failure whose answer carries ``retry-after``
(a 503 or 429 asking for a later attempt) is waited out, but this twin also counts it toward giving
up, so a photo meeting refusals between two bursts of throttling is abandoned early: on explore:202
(iOS 26.4) a photo had 400, 503 retry-after, 400, 503 retry-after, 400, 400 over 86 minutes; the
twin counted 6 refusals and gave it up, where RTY-01 (and the style's documented policy) count 4.
RTY-01 FAILs, and with it RES-01, E2E-01 and CNS-02 (the photo never reached the cloud)::

    ./upcert certify --extension-cmd "python3 clients/python/examples/mutant_queue_counts_throttles.py" \\
        --profiles conformance-tests/src/test/resources/styles-corpus/sqlite-RTY-01-seed-202.yaml --rules RTY-01
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import sqlite_queue_extension as queue  # noqa: E402 - after the path
import upcert_extension as up  # noqa: E402 - sqlite_queue_extension made it importable

# THE MISTAKE: every server-answered failure is a refusal, retry-after or not.
queue.counts_as_refusal = lambda retry_after: True

if __name__ == "__main__":
    up.run(queue.SqliteQueueExtension)
