#!/usr/bin/env python3
"""A twin of the Google Photos journal extension that must NOT certify: it remembers its commits in memory.

One mistake, on purpose: the answer of a ``batchCreate`` is applied to the state in memory and never
journaled, so the journal still lists every committed token as waiting for its commit. While the process
lives nothing shows; the next process (after a kill, or once the system ended an idle one) reads the
journal and commits every token again, though the first commit's 200 had arrived and the call had
returned: the service refuses each as ``already committed`` (code 6), and this extension, reading
code 6 as committed, never notices. CLD-01 FAILs (a second commit attempt the extension could have
known to be needless), wherever a process is relaunched after a commit::

    ./upcert certify --cloud google-photos --assume body-in-headers --profiles baseline --seeds 1 --rules CLD-01 \\
        --extension-cmd "python3 clients/python/examples/mutant_gphotos_commits_in_memory.py"
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import google_photos_journal_extension as gphotos  # noqa: E402 - after the path
import upcert_extension as up  # noqa: E402 - google_photos_journal_extension made it importable


class CommitsInMemory(gphotos.Call):
    def commit_batch(self, batch):
        record = self.journal.record
        # THE MISTAKE: the commit's outcome is applied in memory only, never appended to the journal.
        self.journal.record = self.journal._apply
        try:
            return super().commit_batch(batch)
        finally:
            self.journal.record = record


gphotos.Call = CommitsInMemory

if __name__ == "__main__":
    up.run(gphotos.GooglePhotosJournalExtension)
