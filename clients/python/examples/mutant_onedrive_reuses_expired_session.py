#!/usr/bin/env python3
"""A twin of the OneDrive session extension that must NOT certify: it reuses a resource's upload session.

One mistake, on purpose, and a tempting one: Graph lets a client resume an interrupted upload within its
session (``nextExpectedRanges``), so this twin opens one session per resource, journals its ``uploadUrl``
and gives the same URL to every later attempt of that resource, never asking whether the session still
lives. A session lives 15 minutes from its creation or its last fragment; a job that waited in the
system's queue longer is refused ``404`` (the session is gone: Graph says restart the whole upload), and
so is every attempt after it, for ever. The URL is pre-authenticated, its credential in the path: the same
URL is the same expired credential, as a presigned S3 URL's query is (RTY-03)::

    ./upcert certify --cloud onedrive --profiles expired-urls --seeds 1 --rules RTY-03 \\
        --extension-cmd "python3 clients/python/examples/mutant_onedrive_reuses_expired_session.py"
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import onedrive_session_extension as onedrive  # noqa: E402 - after the path
import google_photos_journal_extension as journal  # noqa: E402 - onedrive_session_extension made it importable
import upcert_extension as up  # noqa: E402


class ReusesTheSession(onedrive.OneDriveCall):
    def destination(self, key, attempt):
        record = self.journal.resources[key]
        url = record.get("session")
        if url is None:  # the first attempt opens the session
            fresh = super().destination(key, attempt)
            if fresh is None:
                return None
            self.journal.record([journal.res(key, session=fresh.url)])
            return fresh
        # THE MISTAKE: every later attempt sends its bytes to the session the first one opened, expired or not.
        size = record["size"]
        return (up.UploadRequest.put(url)
                .with_header("Content-Range", "bytes 0-%d/%d" % (size - 1, size))
                .with_header(journal.KEY_HEADER, "%s %d" % (key, attempt)))


journal.Call = ReusesTheSession

if __name__ == "__main__":
    up.run(journal.GooglePhotosJournalExtension)
