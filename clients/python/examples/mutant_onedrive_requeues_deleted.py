#!/usr/bin/env python3
"""A twin of the OneDrive session extension that must NOT certify: it queues a deleted photo again.

One mistake, the one exploration found in the journal style (explore:57, iOS 26.5): a job that failed
with ``-1100`` (the system could not read the original: the asset was deleted) is read as a refusal and
its resource queued for a new job, which PhotoKit refuses (``IDENTIFIER_NOT_FOUND``) and with it the
whole create block; retried once more, it is the third attempt at a deleted photo (E2E-03). The style
asks the library and drops such a resource::

    ./upcert certify --cloud onedrive --rules E2E-03 \\
        --profiles conformance-tests/src/test/resources/styles-corpus/onedrive-E2E-03-seed-57.yaml \\
        --extension-cmd "python3 clients/python/examples/mutant_onedrive_requeues_deleted.py"
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import onedrive_session_extension as onedrive  # noqa: E402 - after the path
import google_photos_journal_extension as journal  # noqa: E402 - onedrive_session_extension made it importable
import upcert_extension as up  # noqa: E402


class RequeuesDeleted(onedrive.OneDriveCall):
    def gone(self, job):
        return False  # THE MISTAKE: -1100 read as a refusal like any other; the photo goes back in the queue


journal.Call = RequeuesDeleted

if __name__ == "__main__":
    up.run(journal.GooglePhotosJournalExtension)
