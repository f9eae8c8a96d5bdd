#!/usr/bin/env python3
"""A twin of the OneDrive session extension that must NOT certify: PROCESSING while no session opens.

One mistake, the one exploration found in the style (explore:58, iOS 26.4): when Graph refuses every
``createUploadSession`` (a 429, a 5xx) the call creates nothing, yet answers PROCESSING because work
remains; the system calls again 5 minutes later, and again, with nothing moved (RES-03). The style answers
FAILURE then, as it does when the token endpoint refuses its sign-in, and the system backs off::

    ./upcert certify --cloud onedrive --rules RES-03 \\
        --profiles conformance-tests/src/test/resources/styles-corpus/onedrive-RES-03-seed-58.yaml \\
        --extension-cmd "python3 clients/python/examples/mutant_onedrive_processing_when_sessions_refused.py"
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import onedrive_session_extension as onedrive  # noqa: E402 - after the path
import google_photos_journal_extension as journal  # noqa: E402 - onedrive_session_extension made it importable
import upcert_extension as up  # noqa: E402


class ProcessingWhenSessionsRefused(onedrive.OneDriveCall):
    def session_refused(self):
        pass  # THE MISTAKE: a refused session is no reason to stop asking; PROCESSING while work remains


journal.Call = ProcessingWhenSessionsRefused

if __name__ == "__main__":
    up.run(journal.GooglePhotosJournalExtension)
