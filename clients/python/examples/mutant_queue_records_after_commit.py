#!/usr/bin/env python3
"""A twin of the SQLite-queue extension that must NOT certify: it records a create block after its commit.

One mistake, on purpose, the order most queues are first written in: create the jobs, then mark
their rows as sent. No intent is written before the block, so a process killed after the commit and
before the record (``process.kill-in-changes`` with ``commit: after``) leaves rows the next process
takes for still queued, while their jobs are on a slow uplink: it creates a second job for each
(DUP-01). Without the PROCESS set (iOS 26.5, which this 26.1-era style does not use) nothing lets
it see those jobs; only an intent before the commit, settled by evidence, does.
``kills-after-commit`` fails it::

    ./upcert certify --extension-cmd "python3 clients/python/examples/mutant_queue_records_after_commit.py" \\
        --profiles kills-after-commit --seeds 1 --rules DUP-01
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import sqlite_queue_extension as queue  # noqa: E402 - after the path
import upcert_extension as up  # noqa: E402 - sqlite_queue_extension made it importable


class RecordsAfterCommit(queue.Call):
    def create(self, rows, token):
        for start in range(0, len(rows), queue.BLOCK):
            chunk = rows[start:start + queue.BLOCK]
            block = int(self.queue.meta("block", "0")) + 1
            try:
                with self.library.perform_changes() as changes:
                    for row in chunk:
                        changes.create_job(up.AssetResource(row["asset"], up.ResourceType[row["rtype"]],
                                                            row["filename"], row["uti"], row["size"]),
                                           self.destination(row, row["attempt"] + 1, block, token))
            except up.PhotosError as e:
                if e.code == up.PhotosErrorCode.LIMIT_EXCEEDED:
                    return "limit"
                raise
            # THE MISTAKE: the record comes after the commit; a kill between the two forgets the jobs.
            self.queue.commit([queue.set_meta("block", block)] + [
                ["UPDATE work SET status='sent', attempt=?, block=?, since=? WHERE key=?",
                 [row["attempt"] + 1, block, self.now(), row["key"]]] for row in chunk])
        return None


queue.Call = RecordsAfterCommit

if __name__ == "__main__":
    up.run(queue.SqliteQueueExtension)
