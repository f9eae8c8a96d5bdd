#!/usr/bin/env python3
"""A twin of the Google Photos journal extension that must NOT certify: PROCESSING while no commit is taken.

One mistake, the one exploration found in the style (explore:143, iOS 26.4): when the service refuses
every ``mediaItems:batchCreate`` (a 429 for 39 minutes) and nothing else is left to do, the call moves
nothing, yet answers PROCESSING because journaled tokens wait for their commit; the system calls again
5 minutes later, and again, with nothing moved (RES-03). The style answers FAILURE then, as it does
when the token endpoint refuses its sign-in, and the system backs off::

    ./upcert certify --cloud google-photos --assume body-in-headers --rules RES-03 \\
        --profiles conformance-tests/src/test/resources/styles-corpus/gphotos-RES-03-seed-143.yaml \\
        --extension-cmd "python3 clients/python/examples/mutant_gphotos_processing_when_commits_refused.py"
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import google_photos_journal_extension as journal  # noqa: E402 - after the path
import upcert_extension as up  # noqa: E402 - google_photos_journal_extension made it importable


class ProcessingWhenCommitsRefused(journal.Call):
    def commit_refused(self):
        pass  # THE MISTAKE: a refused commit is no reason to stop asking; PROCESSING while tokens wait


journal.Call = ProcessingWhenCommitsRefused

if __name__ == "__main__":
    up.run(journal.GooglePhotosJournalExtension)
