#!/usr/bin/env python3
"""A twin of the OneDrive session extension that must NOT certify: it opens upload sessions after the notice.

One mistake, the one exploration found in the journal style (explore:36, iOS 26.5): after ``willTerminate``
it still opened a new upload session (a sign-in and ``createUploadSession``) for every failed job it meant to
retry in place; one of them answered slowly (``cloud.slow``, 3 s) and the call outlived the 5 s grace period
(TRM-01). The style acknowledges those jobs once told to stop and queues their resources for a new job
later, as when the sign-in fails::

    ./upcert certify --cloud onedrive --rules TRM-01 \\
        --profiles conformance-tests/src/test/resources/styles-corpus/onedrive-TRM-01-seed-36.yaml \\
        --extension-cmd "python3 clients/python/examples/mutant_onedrive_opens_sessions_after_notice.py"
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import onedrive_session_extension as onedrive  # noqa: E402 - after the path
import google_photos_journal_extension as journal  # noqa: E402 - onedrive_session_extension made it importable
import upcert_extension as up  # noqa: E402


class OpensSessionsAfterTheNotice(onedrive.OneDriveCall):
    def retry_destination(self, key, attempt):
        return self.destination(key, attempt)  # THE MISTAKE: a sign-in and a new session even after the notice


journal.Call = OpensSessionsAfterTheNotice

if __name__ == "__main__":
    up.run(journal.GooglePhotosJournalExtension)
