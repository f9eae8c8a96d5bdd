"""A twin of the OneDrive session extension that must NOT certify: it opens new upload sessions after the notice.

One mistake, the one exploration found in the journal style (explore:589, iOS 27): the style looked for the
notice before ``create`` but not inside it; the notice came during ``job_limit`` (inside ``create``), and the
style still opened an upload session for the queue's head (``createUploadSession``), which network.degraded
(2.2 s each way) and cloud.slow (8 s) answered past the 5 s grace period (TRM-01). The style asks for each new
destination with ``new_destination``, None once told to stop, and commits nothing after the notice::

    ./upcert certify --cloud onedrive --rules TRM-01 \\
        --profiles conformance-tests/src/test/resources/styles-corpus/onedrive-TRM-01-seed-589.yaml \\
        --extension-cmd "python3 clients/python/examples/mutant_onedrive_opens_sessions_in_create_after_notice.py"
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import onedrive_session_extension as onedrive  # noqa: E402 - after the path
import google_photos_journal_extension as journal  # noqa: E402 - onedrive_session_extension made it importable
import upcert_extension as up  # noqa: E402


class OpensSessionsInCreateAfterTheNotice(onedrive.OneDriveCall):
    def new_destination(self, key, attempt):
        return self.destination(key, attempt)  # THE MISTAKE: a new session for a new job even after the notice


journal.Call = OpensSessionsInCreateAfterTheNotice

if __name__ == "__main__":
    up.run(journal.GooglePhotosJournalExtension)
