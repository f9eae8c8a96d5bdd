#!/usr/bin/env python3
"""A twin of the OneDrive session extension that must NOT certify: a job's missing mark outlives its attempt.

One mistake, the one exploration found in the journal style (explore:99, iOS 26.1 upgraded to 26.5): from 26.5
the style marks a job of its journal absent from both sets (``m``, the sets lag up to 5 s) and queues its
resource again once the job stays absent 10 s. A mark set while an attempt's job had failed but did not show
it yet was never cleared once that job showed up finished (the record had gone back to the queue by then),
so the next attempt's job, absent from the PROCESS set for the same lag right after it failed, was taken for
gone at once and a second job created beside it, still unacknowledged (DUP-01), 1 s after its refusal
(RTY-02). The style keeps a mark only for the attempt it was set for (``ma``)::

    ./upcert certify --cloud onedrive --rules DUP-01,RTY-02 \\
        --profiles conformance-tests/src/test/resources/styles-corpus/onedrive-DUP-01-seed-99.yaml \\
        --extension-cmd "python3 clients/python/examples/mutant_onedrive_keeps_missing_mark.py"
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import onedrive_session_extension as onedrive  # noqa: E402 - after the path
import google_photos_journal_extension as journal  # noqa: E402 - onedrive_session_extension made it importable
import upcert_extension as up  # noqa: E402


class KeepsTheMissingMark(onedrive.OneDriveCall):
    def reconcile(self, finished, authorized):
        if not authorized or not self.context.os_at_least("26.5"):
            return super().reconcile(finished, authorized)
        now = self.now()
        resources = self.journal.resources
        alive = {self.identity(job)[0] for job in self.library.fetch_jobs(up.JobAction.PROCESS)}
        ops = []
        for key, r in resources.items():
            if r.get("s") not in ("sent", "doubt"):
                continue
            if key in alive or key in finished:
                if r.get("m"):
                    ops.append(journal.res(key, m=0))
            elif not r.get("m"):
                ops.append(journal.res(key, m=now))
            elif now - r["m"] >= journal.MISSING:  # THE MISTAKE: the mark may be an earlier attempt's
                ops.append(journal.res(key, s="queued", m=0, stale=False))
        self.journal.record(ops)
        return sum(1 for key in alive if key)


journal.Call = KeepsTheMissingMark

if __name__ == "__main__":
    up.run(journal.GooglePhotosJournalExtension)
