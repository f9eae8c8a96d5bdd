#!/usr/bin/env python3
"""The journal style of ``google_photos_journal_extension.py`` on OneDrive: one upload session per attempt.

Written from docs/cloud.md and Graph's createUploadSession (reference ``cloud-upload-protocols.md``),
not from the sample. Every destination is a fresh upload session the extension opens with its own
request, ``POST <cloud.apiUrl>me/drive/items/root:/<path>:/createUploadSession`` (bearer token,
``conflictBehavior: fail``), whose ``uploadUrl`` becomes the job's destination: ``PUT`` with
``Content-Range: bytes 0-<size-1>/<size>`` and no ``Authorization`` (the URL is pre-authenticated).
The system sends the whole resource as the one fragment, which commits the file.

Unlike the sample, it never reads the driveItem of a success: the job succeeded, the file is there.
It asks the service instead when a job *failed*: ``GET me/drive/root:/<path>`` (Graph's item by path)
answering 200 with the resource's size means the bytes are stored whatever the job showed (a lost
response, a ``409 nameAlreadyExists`` because an earlier attempt did store it, a ``416`` for a fragment
already received); at most 20 such look-ups a call. Every retry opens a new session (a ``404`` is a
session that expired while the job waited). Nothing to commit: the last fragment commits.

Run it with ``./upcert certify --cloud onedrive --extension-cmd
"python3 clients/python/examples/onedrive_session_extension.py"``.
"""

import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import google_photos_journal_extension as journal  # noqa: E402 - after the path
import upcert_extension as up  # noqa: E402 - google_photos_journal_extension made it importable

journal.PREFIX = "onedrive/"
LOOKUPS_PER_CALL = 20


def drive_path(key, filename):
    """A path of the backup folder, one per resource: only characters that need no escaping."""
    clean = re.sub(r"[^A-Za-z0-9._-]", "_", key)
    return "CameraBackup/%s-%s" % (clean, re.sub(r"[^A-Za-z0-9._-]", "_", filename))


class OneDriveCall(journal.Call):
    def __init__(self, extension, context):
        super().__init__(extension, context)
        self.lookups = 0

    def destination(self, key, attempt):
        """A new upload session for this attempt; None when the service did not open one."""
        record = self.journal.resources[key]
        request = up.UploadRequest.post(self.api + "me/drive/items/root:/%s:/createUploadSession"
                                        % drive_path(key, record.get("fn", ""))).with_header("Content-Type", "application/json")
        body = json.dumps({"item": {"@microsoft.graph.conflictBehavior": "fail"}, "fileSize": record["size"]})
        response = self.send_signed_in(request, body)
        if response is None or response.status != 200:
            # An unused session expires by itself. The service would not open one (a 429, a 5xx, no answer):
            # like a refused sign-in, a call that moves nothing for it answers FAILURE and lets the system
            # back off, not PROCESSING every 5 minutes (explore:58: a 429 on every createUploadSession, RES-03).
            self.session_refused()
            return None
        try:
            url = json.loads(response.body_text())["uploadUrl"]
        except (ValueError, KeyError, TypeError):
            return None
        size = record["size"]
        return (up.UploadRequest.put(url)
                .with_header("Content-Range", "bytes 0-%d/%d" % (size - 1, size))
                .with_header(journal.KEY_HEADER, "%s %d" % (key, attempt)))

    def session_refused(self):
        self.signed_out = True

    def cloud_holds(self, key, record):
        """Graph's item by path: is the file there with the resource's size?"""
        if self.lookups >= LOOKUPS_PER_CALL or self.stopping():
            return False
        self.lookups += 1
        response = self.send_signed_in(up.UploadRequest.get(self.api + "me/drive/root:/" + drive_path(key, record.get("fn", ""))))
        try:
            return response is not None and response.status == 200 \
                and json.loads(response.body_text()).get("size") == record["size"]
        except (ValueError, AttributeError):
            return False

    def commit_journaled_tokens(self):
        """The fragment that completes a session commits the file: nothing to do."""


journal.Call = OneDriveCall

if __name__ == "__main__":
    up.run(journal.GooglePhotosJournalExtension)
