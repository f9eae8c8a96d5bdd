#!/usr/bin/env python3
"""A twin of the OneDrive session extension that must NOT certify: it reads the PROCESS set under limited access.

One mistake, the one exploration found in the journal style (explore:14 and explore:34, iOS 26.5 and 27):
from iOS 26.5 the style reconciles what its journal says is in flight with the PROCESS set, and a job
absent from it for 10 s is taken as gone and queued again. Under limited access PhotoKit shows the
extension none of its jobs (reference §4), so every job in flight looks gone; when access returns, their
outcomes arrive for records already queued again and are acknowledged unread: a success is not
recognised (a second upload, CLD-02 when the job came back without a resource) and a refusal is not
counted (the retries' spacing restarts, RTY-02)::

    ./upcert certify --cloud onedrive --rules CLD-02 \\
        --profiles conformance-tests/src/test/resources/styles-corpus/onedrive-CLD-02-seed-34.yaml \\
        --extension-cmd "python3 clients/python/examples/mutant_onedrive_reconciles_without_access.py"
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import onedrive_session_extension as onedrive  # noqa: E402 - after the path
import google_photos_journal_extension as journal  # noqa: E402 - onedrive_session_extension made it importable
import upcert_extension as up  # noqa: E402


class ReconcilesWithoutAccess(onedrive.OneDriveCall):
    def reconcile(self, finished, authorized):
        # THE MISTAKE: the PROCESS set is read as if access were full, its emptiness taken for jobs gone.
        return super().reconcile(finished, True)


journal.Call = ReconcilesWithoutAccess

if __name__ == "__main__":
    up.run(journal.GooglePhotosJournalExtension)
