#!/usr/bin/env python3
"""A twin of the Google Photos journal extension that must NOT certify: it forgets a commit it could not journal.

One mistake, on purpose (the style's own behaviour before explore:58 and explore:84 found it): it commits
whether or not the app group takes lines (the host app holds it locked, ``host.filelock``), and when the
journal line of a ``batchCreate``'s outcome is refused, the outcome is rolled back with the line, as every
other step is. The call returns FAILURE; the next call, in the same process (explore:58) or a relaunched
one (explore:84, the lock in place before the commit), finds the tokens still waiting for their commit
and sends them again: the service refuses each as ``already committed``. CLD-01 FAILs (a second commit
the extension knew, or could have known, to be needless). The style journals a line before it commits
(``Call.write_ahead``: no commit while the app group refuses writes) and applies an outcome it could not
journal in memory all the same, journaling it before its next step (``Journal.record_fact``)::

    ./upcert certify --cloud google-photos --assume body-in-headers --rules CLD-01 \\
        --profiles conformance-tests/src/test/resources/styles-corpus/gphotos-CLD-01-seed-58.yaml \\
        --extension-cmd "python3 clients/python/examples/mutant_gphotos_forgets_unrecorded_commits.py"
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import google_photos_journal_extension as gphotos  # noqa: E402 - after the path
import upcert_extension as up  # noqa: E402 - google_photos_journal_extension made it importable


class ForgetsUnrecordedCommits(gphotos.Call):
    def write_ahead(self):
        pass  # THE MISTAKE, too: it commits without knowing whether the app group takes the outcome's line

    def commit_batch(self, batch):
        # THE MISTAKE: a commit's outcome the app group would not take is rolled back like any other step.
        self.journal.record_fact = self.journal.record
        try:
            return super().commit_batch(batch)
        finally:
            del self.journal.record_fact


gphotos.Call = ForgetsUnrecordedCommits

if __name__ == "__main__":
    up.run(gphotos.GooglePhotosJournalExtension)
