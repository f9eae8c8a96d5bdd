#!/usr/bin/env python3
"""A Google Photos backup extension with a redo journal and commits one call late.

Written from docs/cloud.md, docs/protocol.md and the Google Photos Library API's two steps
(``shared/reference/cloud-upload-protocols.md``), not from upcert's sample or ``reference_extension.py``.
Google Photos stores an upload in two phases: the system sends the bytes (``POST v1/uploads``, raw),
the answer names an *upload token*, and nothing is in the user's library until the app commits that
token with ``POST v1/mediaItems:batchCreate`` (at most 50 items a request, one request at a time per
user; each item's status inside a 200). The style, unlike the sample's:

- **Everything durable is a redo journal.** The app group holds ``gphotos/snapshot-<g>`` (the whole
  state as JSON, written atomically) and ``gphotos/journal-<g>`` (one appended line per step: a list
  of operations). A step is applied in memory only after its line was appended, so a kill leaves it
  whole or absent, and memory never runs ahead of the app group (a process reads the journal once).
  After 400 lines or 128 KiB the next generation's snapshot is written, then the old files go.
- **Commits are the first thing a call does, for the tokens earlier calls journaled.** Settling a
  succeeded job journals its token (``token``) *before* acknowledging it; the next call sends the
  journaled tokens in batches of <= 50, serially, and journals each answer (``committed``, or
  ``expired``: the bytes must go again). A token is never sent after its ``committed`` line: a kill
  after the batch went out but before its answer was journaled is the only way to send it twice, and
  then the extension cannot know the first went through (Google refuses the second, code 6, which
  this extension reads as committed).
- **Job identity from the destination**: ``X-Backup-Key: <resource key> <attempt>``.
- **The PROCESS set (iOS 26.5) reconciles** what the journal says is in flight, read only with full
  access (limited access shows no job at all); a job absent from both sets 10 s running (counted for its
  own attempt) is gone; below 26.5 a create block is journaled as an intent and
  a block whose commit was never confirmed is trusted after 10 minutes without a sign of it.

What a job shows: the upload token only where a response header carries it (``x-goog-upload-token``:
the lenient stub, ``--assume body-in-headers``). A real device shows a job's headers, never its body,
and Google answers the token in the body: there a succeeded upload is recorded as uploaded, with
nothing to commit (docs/cloud.md, "protocol shape only").

Failures: no response (offline, timeout, lost connection, an original iCloud did not deliver) is
retried at once with a fresh destination, then a new job; ``-1013`` signs in again and retries;
``retry-after`` waits that long (new job); any other answer is a refusal: retried once with a fresh
sign-in, then new jobs after 1, 2, 4 and 8 minutes from the third refusal in a row, abandoned
after 8 refusals spanning 40 minutes. A call that did nothing because the token endpoint would not sign
it in, or the service took none of its commits, answers FAILURE (the system backs off), not PROCESSING.

Run it with ``./upcert certify --cloud google-photos --assume body-in-headers
--extension-cmd "python3 clients/python/examples/google_photos_journal_extension.py"``.
"""

import json
import os
import sys
import threading
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import upcert_extension as up  # noqa: E402 - after the path

PREFIX = "gphotos/"
KEY_HEADER = "X-Backup-Key"
TOKEN_HEADER = "x-goog-upload-token"
BATCH = 50                   # Google's cap on newMediaItems per batchCreate
BATCHES_PER_CALL = 6         # at most 300 commits per call: the rest go next call
WINDOW = 40                  # the most jobs in flight, under jobLimit
CHECKPOINT_LINES = 400
CHECKPOINT_BYTES = 128 * 1024  # a new process reads it all: keep the journal short
MINUTE = 60 * 1000
DOUBT = 10 * MINUTE          # below 26.5: an unconfirmed create block trusted after this long
MISSING = 10 * 1000          # from 26.5: a job absent from both sets this long is gone (the sets lag up to 5 s)
GIVE_UP_REFUSALS = 8
GIVE_UP_SPAN = 40 * MINUTE
TOKEN_MARGIN = 5 * MINUTE
NO_RESPONSE = (-1, -999, -1001, -1003, -1004, -1005, -1008, -1009, -1020)
MIME = {"public.jpeg": "image/jpeg", "public.heic": "image/heic", "public.heif": "image/heif",
        "public.png": "image/png", "com.apple.quicktime-movie": "video/quicktime",
        "public.mpeg-4": "video/mp4", "com.adobe.raw-image": "image/x-adobe-dng",
        "com.compuserve.gif": "image/gif"}


class Journal:
    """The state (``resources``, ``meta``) made durable by a snapshot and a line-per-step journal."""

    def __init__(self, storage):
        self.storage = storage
        names = storage.list(PREFIX + "snapshot-")
        generations = sorted(int(n.rsplit("-", 1)[1]) for n in names)
        self.generation = generations[-1] if generations else 0
        text = storage.read_string(PREFIX + "snapshot-%d" % self.generation) if generations else None
        state = json.loads(text) if text else {"resources": {}, "meta": {}}
        self.resources = state["resources"]
        self.meta = state["meta"]
        self.lines = self.bytes = 0
        self.owed = []  # steps already applied in memory that the app group would not take yet (record_fact)
        for line in (storage.read_string(PREFIX + "journal-%d" % self.generation) or "").split("\n"):
            if line:
                self._apply(json.loads(line))
                self.lines += 1
                self.bytes += len(line) + 1
        for old in generations[:-1]:  # a checkpoint killed before it removed them
            storage.delete(PREFIX + "snapshot-%d" % old)
            storage.delete(PREFIX + "journal-%d" % old)

    def record(self, ops):
        """Appends one step; applied in memory only once it is durable (the steps owed go first)."""
        if not ops and not self.owed:
            return
        line = json.dumps(self.owed + list(ops), sort_keys=True) + "\n"
        self.storage.append_string(PREFIX + "journal-%d" % self.generation, line)
        self.owed = []
        self._apply(ops)
        self.lines += 1
        self.bytes += len(line)

    def record_fact(self, ops):
        """Appends a step that already happened outside the phone (a commit the service answered 200).

        If the app group will not take it now (locked by the host app), it is applied in memory all the
        same and appended before the next step: rolled back, this process would commit the tokens again
        at its next call although it knows they went through (CLD-01). A kill before that append loses
        it, as a kill before any append does.
        """
        try:
            self.record(ops)
        except up.StorageUnavailableError:
            self._apply(ops)
            self.owed.extend(ops)
            raise

    def checkpoint_if_due(self):
        if self.lines < CHECKPOINT_LINES and self.bytes < CHECKPOINT_BYTES:
            return
        old = self.generation
        self.storage.write_string(PREFIX + "snapshot-%d" % (old + 1),
                                  json.dumps({"resources": self.resources, "meta": self.meta}, sort_keys=True))
        self.generation, self.lines, self.bytes = old + 1, 0, 0
        self.owed = []  # in the snapshot now
        self.storage.delete(PREFIX + "snapshot-%d" % old)
        self.storage.delete(PREFIX + "journal-%d" % old)

    def _apply(self, ops):
        for op in ops:
            kind = op[0]
            if kind == "res":       # ["res", key, {fields}]: create or update a resource's record
                self.resources.setdefault(op[1], {}).update(op[2])
            elif kind == "meta":    # ["meta", name, value]
                self.meta[op[1]] = op[2]
            elif kind == "reset":   # ["reset"]: another server: everything goes again
                for record in self.resources.values():
                    if record.get("s") in ("sent", "doubt"):
                        record["stale"] = True  # its job goes to the old server: its outcome counts for nothing
                    elif record.get("s") != "gone":
                        record.update({"s": "queued", "a": 0, "rf": 0, "r0": 0, "nb": 0, "tok": None})


def res(key, **fields):
    return ["res", key, fields]


class Call:
    """One ``process_jobs`` call."""

    def __init__(self, extension, context):
        self.ext = extension
        self.context = context
        self.library = context.library
        self.settings = context.cloud_settings
        self.api = self.settings.api_url or (context.upload_url_base.rstrip("/") + "/v1/")
        if extension.journal is None:  # read once per process: every later step is appended before it is applied
            extension.journal = Journal(context.storage)
        self.journal = extension.journal
        self.journal.storage = context.storage  # each call's own: a context is invalid once its call returned
        self.progress = False
        self.resynced = False
        self.signed_out = False  # the token endpoint refused or did not answer in this call, or a commit was not taken

    def now(self):
        return self.context.clock.millis()

    def stopping(self):
        return self.ext.terminating.is_set()

    # -- sign-in ------------------------------------------------------------------------------

    def bearer(self, fresh=False):
        """A bearer token valid for a while, or None when sign-in failed."""
        cached = self.ext.auth
        if not fresh and cached and cached[2] == self.settings.token_url and cached[1] - TOKEN_MARGIN > self.now():
            return cached[0]
        body = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": self.settings.client_id,
                                       "client_secret": self.settings.client_secret})
        request = up.UploadRequest.post(self.settings.token_url).with_header(
            "Content-Type", "application/x-www-form-urlencoded")
        try:
            response = self.context.http.send(request, body)
            answer = json.loads(response.body_text()) if response.status == 200 else None
            token = answer["access_token"]
            lifetime = int(answer.get("expires_in", 3600)) * 1000
        except (up.TransportError, ValueError, KeyError, TypeError):
            self.ext.auth = None
            self.signed_out = True
            return None
        self.ext.auth = (token, self.now() + lifetime, self.settings.token_url)
        return token

    def send_signed_in(self, request, body=b""):
        """``request`` with a bearer token, once more with a fresh one after a 401; None if no answer came."""
        response = None
        for fresh in (False, True):
            bearer = self.bearer(fresh)
            if bearer is None:
                return None
            try:
                response = self.context.http.send(request.with_header("Authorization", "Bearer " + bearer), body)
            except up.TransportError:
                return None  # the request may have been served: whoever sent it decides what that means
            if response.status != 401:
                break
        return response

    # -- the call -----------------------------------------------------------------------------

    def run(self, authorized):
        self.follow_server()
        if self.stopping():
            return up.ProcessingResult.PROCESSING
        self.commit_journaled_tokens()
        if self.stopping():
            return up.ProcessingResult.PROCESSING
        finished = self.settle()
        if self.stopping():
            return up.ProcessingResult.PROCESSING
        in_flight = self.reconcile(finished, authorized)
        limited = False
        if authorized:  # without full access: nothing created, presented jobs still settled
            try:
                self.discover()
            except up.PhotosError:
                return up.ProcessingResult.PROCESSING  # PhotoKit could not answer (3300, -1): again next call
            self.read_host_uploads()
            if not self.stopping():
                limited = self.create(in_flight)
        self.journal.checkpoint_if_due()
        if limited or self.stopping() or self.resynced:
            return up.ProcessingResult.PROCESSING
        # PROCESSING while jobs are in flight or tokens wait for their commit: nothing else calls us then.
        waiting = ("sent", "doubt", "token") + (("queued",) if authorized else ())
        work = any(r.get("s") in waiting for r in self.journal.resources.values())
        if authorized and (not self.journal.meta.get("scanned") or self.journal.meta.get("pendingAssets")):
            work = True
        if work and self.signed_out and not self.progress:
            # Nothing moved because the service would not sign us in or take a commit: an error, not work in progress
            # (the system backs off; five PROCESSING answers moving nothing would be RES-03's loop).
            return up.ProcessingResult.FAILURE
        return up.ProcessingResult.PROCESSING if work else up.ProcessingResult.COMPLETED

    def follow_server(self):
        """``host/server`` names the account's server: a new one holds nothing of ours."""
        text = self.context.storage.read_string("host/server") or ""
        fields = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
        generation = fields.get("generation", "0")
        if generation != self.journal.meta.get("server", "0"):
            self.journal.record([["reset"], ["meta", "server", generation],
                                 ["meta", "hostLines", int(fields.get("hostUploadedLines", "0"))]])
            self.ext.auth = None

    # -- phase 1: commit what earlier calls journaled ---------------------------------------------

    def commit_journaled_tokens(self):
        pending = sorted((r["tok"], key) for key, r in self.journal.resources.items() if r.get("s") == "token")
        for start in range(0, min(len(pending), BATCH * BATCHES_PER_CALL), BATCH):
            if self.stopping() or not self.commit_batch(pending[start:start + BATCH]):
                return

    def commit_refused(self):
        """The service took no commit (a 429, a 5xx, no answer): like a refused sign-in, a call that moved nothing
        else answers FAILURE and the system backs off, not PROCESSING every 5 minutes (explore:143: 429s on
        every batchCreate for 39 minutes, five PROCESSING answers in a row with nothing moved, RES-03)."""
        self.signed_out = True

    def commit_batch(self, batch):
        """One batchCreate; False when the service did not answer it (try again next call)."""
        self.write_ahead()
        items = [{"description": "", "simpleMediaItem": {"uploadToken": token,
                                                          "fileName": self.journal.resources[key].get("fn", "")}}
                 for token, key in batch]
        request = up.UploadRequest.post(self.api + "mediaItems:batchCreate").with_header("Content-Type", "application/json")
        response = self.send_signed_in(request, json.dumps({"newMediaItems": items}))
        if response is None or response.status != 200:
            self.commit_refused()
            return False  # maybe committed, maybe not: sent again next call (Google answers 6 if it was)
        try:
            results = json.loads(response.body_text())["newMediaItemResults"]
        except (ValueError, KeyError, TypeError):
            self.commit_refused()
            return False
        keys = dict(batch)
        ops = []
        for result in results if isinstance(results, list) else []:
            token = result.get("uploadToken") if isinstance(result, dict) else None
            key = keys.get(token)
            if key is None:
                continue
            code = (result.get("status") or {}).get("code", 0)
            if code in (0, 6):        # OK, or ALREADY_EXISTS: this token is in the library
                ops.append(res(key, s="committed", tok=None))
            elif code == 3:           # INVALID_ARGUMENT: unknown or expired token, the bytes go again
                ops.append(res(key, s="queued", tok=None, nb=0))
            # anything else (UNAVAILABLE, INTERNAL…): journaled as it was, sent again next call
        self.journal.record_fact(ops)
        self.progress = True
        return True

    def write_ahead(self):
        """Journals that a commit is about to be sent: raises while the app group refuses writes.

        A commit is sent only while the app group takes lines: with it locked (the host app), the
        service's answer could not be journaled, and a process ended before the lock is gone would
        commit the tokens again (CLD-01, explore:84). A lock that starts during the request is the
        owed step's business (``Journal.record_fact``).
        """
        self.journal.record([["meta", "committing", self.now()]])

    # -- phase 2: settle finished jobs ------------------------------------------------------------

    def settle(self):
        """Journals every finished job's outcome, then acknowledges or retries them in one block."""
        acknowledge = self.library.fetch_jobs(up.JobAction.ACKNOWLEDGE)
        retryable = {job.local_identifier for job in self.library.fetch_jobs(up.JobAction.RETRY)}
        headers_shown = self.context.os_at_least("26.4")
        ops, acks, retries = [], [], []
        finished = set()
        for job in acknowledge:
            key, attempt = self.identity(job)
            finished.add(key)
            record = self.journal.resources.get(key) if key else None
            if record is None or attempt != record.get("a") or record.get("s") not in ("sent", "doubt"):
                acks.append(job)  # not ours, or an outcome already counted
                continue
            if record.get("stale"):
                ops.append(res(key, s="queued", stale=False, a=0, rf=0, r0=0, nb=0))
                acks.append(job)  # sent to the server the account left
                continue
            headers = job.response_header_fields if headers_shown and job.type == up.JobType.UPLOAD else None
            token = headers.get(TOKEN_HEADER) if headers is not None else None
            if job.state == up.JobState.SUCCEEDED or token:
                ops.append(res(key, s="token", tok=token, rf=0, r0=0) if token else res(key, s="uploaded", rf=0, r0=0))
                acks.append(job)
                continue
            if self.cloud_holds(key, record):
                ops.append(res(key, s="uploaded", rf=0, r0=0))
                acks.append(job)
                continue
            decision = self.failure(job, record, headers_shown, job.local_identifier in retryable)
            ops.append(res(key, **decision["fields"]))
            if decision["retry"]:
                retries.append(job)
            else:
                acks.append(job)
        self.journal.record(ops)  # outcomes before the acknowledgements that forget the jobs
        if acks or retries:
            destinations = {}
            for job in retries:
                key, _ = self.identity(job)
                destination = self.retry_destination(key, self.journal.resources[key]["a"])
                if destination is None:
                    acks.append(job)  # cannot sign in, or told to stop: a new job later instead
                    self.journal.record([res(key, s="queued", nb=self.now() + MINUTE)])
                else:
                    destinations[job.local_identifier] = destination
            if acks:
                with self.library.perform_changes() as changes:
                    for job in acks:
                        changes.acknowledge(job)
            retried = [job for job in retries if job.local_identifier in destinations]
            if retried and not self.stopping():
                try:
                    with self.library.perform_changes() as changes:
                        for job in retried:
                            changes.retry(job, destinations[job.local_identifier])
                    # A retry is journaled as an intent (doubt) like a create block; now it is known sent.
                    self.journal.record([res(self.identity(job)[0], s="sent") for job in retried])
                except up.PhotosError:
                    # Refused as a whole (a retry counts under jobLimit): new jobs later instead.
                    self.journal.record([res(self.identity(job)[0], s="queued") for job in retried])
                    with self.library.perform_changes() as changes:
                        for job in retried:
                            changes.acknowledge(job)
            elif retried:
                self.journal.record([res(self.identity(job)[0], s="queued") for job in retried])
                with self.library.perform_changes() as changes:
                    for job in retried:
                        changes.acknowledge(job)
            self.progress = True
        return finished

    def retry_destination(self, key, attempt):
        """A destination to retry in place with; None once told to stop: a destination may need a sign-in or a
        request of its own (OneDrive opens a session), and a request started after the notice may outlive the
        grace period (explore:36: an upload session opened after the notice, answered 3 s later, TRM-01)."""
        if self.stopping():
            return None
        return self.destination(key, attempt)

    def new_destination(self, key, attempt):
        """A destination for a new job; None once told to stop, as for a retry: the notice may come inside ``create``,
        after the check before it (explore:589, OneDrive: the notice during ``job_limit``, then a ``createUploadSession``
        that network.degraded and cloud.slow answered past the grace period, TRM-01)."""
        return self.retry_destination(key, attempt)

    def failure(self, job, record, headers_shown, can_retry):
        """What a failed job leads to: the record's new fields and whether to retry it in place."""
        now = self.now()
        error = job.error if headers_shown else None
        headers = job.response_header_fields if headers_shown else None
        attempt = record["a"] + 1
        if error is not None and error.code == up.UploadError.FILE_DOES_NOT_EXIST and self.gone(job):
            # The system could not read the original: the asset was deleted. Not queued again: a create for
            # it would be refused, and with it its whole block (explore:57, E2E-03).
            return {"fields": {"s": "gone"}, "retry": False}
        if error is not None and (headers is None and error.code in NO_RESPONSE):
            return {"fields": {"a": attempt, "s": "doubt", "t": now} if can_retry else {"s": "queued", "nb": now},
                    "retry": can_retry}
        after = headers.get("retry-after") if headers is not None else None
        if after is not None:
            try:
                wait = int(after) * 1000
            except ValueError:
                wait = MINUTE
            return {"fields": {"s": "queued", "nb": now + wait}, "retry": False}
        refusals = record.get("rf", 0) + 1
        first = record.get("r0") or now
        if refusals >= GIVE_UP_REFUSALS and now - first >= GIVE_UP_SPAN:
            return {"fields": {"s": "abandoned", "rf": refusals, "r0": first}, "retry": False}
        signed_out = error is not None and error.code == -1013
        if signed_out:
            self.ext.auth = None
        if can_retry and (refusals < 3 or signed_out):
            self.ext.auth = None  # the refusal may be the credentials': a fresh sign-in
            return {"fields": {"a": attempt, "s": "doubt", "t": now, "rf": refusals, "r0": first}, "retry": True}
        wait = 0 if refusals < 3 else min(8, 2 ** (refusals - 3)) * MINUTE
        return {"fields": {"s": "queued", "nb": now + wait, "rf": refusals, "r0": first}, "retry": False}

    def gone(self, job):
        """Whether a job's resource has left the library (``-1100`` may also be an original iCloud did not deliver)."""
        key, _ = self.identity(job)
        return key is not None and self.library.fetch_resource(key) is None

    def cloud_holds(self, key, record):
        """Whether a failed job's resource is in the cloud all the same; Google cannot be asked."""
        return False

    @staticmethod
    def identity(job):
        value = job.destination.header(KEY_HEADER) if job.destination is not None else None
        if not value:
            return None, None
        key, _, attempt = value.rpartition(" ")
        return key, int(attempt)

    def destination(self, key, attempt):
        bearer = self.bearer()
        if bearer is None:
            return None
        record = self.journal.resources[key]
        return (up.UploadRequest.post(self.api + "uploads")
                .with_header("Authorization", "Bearer " + bearer)
                .with_header("Content-Type", "application/octet-stream")
                .with_header("X-Goog-Upload-Content-Type", MIME.get(record.get("uti"), "application/octet-stream"))
                .with_header("X-Goog-Upload-Protocol", "raw")
                .with_header("X-Goog-Upload-File-Name", record.get("fn", ""))
                .with_header(KEY_HEADER, "%s %d" % (key, attempt)))

    # -- phase 3: what is in flight ---------------------------------------------------------------

    def reconcile(self, finished, authorized):
        """The number of our jobs in flight; journal entries whose job no longer exists go back."""
        now = self.now()
        resources = self.journal.resources
        if not authorized:
            # Without full access PhotoKit shows none of our jobs (reference §4): an empty PROCESS set says
            # nothing about them, and they are still there when access returns. Nothing is created now anyway.
            return sum(1 for r in resources.values() if r.get("s") in ("sent", "doubt"))
        if self.context.os_at_least("26.5"):
            alive = {self.identity(job)[0] for job in self.library.fetch_jobs(up.JobAction.PROCESS)}
            ops = []
            for key, r in resources.items():
                if r.get("s") not in ("sent", "doubt"):
                    continue
                # The mark belongs to the attempt it was set for (``ma``): one left by an earlier attempt, whose
                # job turned up finished after it was set, says nothing of this one (explore:99, DUP-01).
                missing = r.get("m") if r.get("ma") == r.get("a") else 0
                if key in alive or key in finished:
                    if r.get("m"):
                        ops.append(res(key, m=0))
                elif not missing:
                    ops.append(res(key, m=now, ma=r.get("a")))  # the sets lag: gone only if still absent later
                elif now - missing >= MISSING:
                    ops.append(res(key, s="queued", m=0, stale=False))
            self.journal.record(ops)
            return sum(1 for key in alive if key)
        # Before 26.5 nothing shows a job in flight: a create block never confirmed is trusted later.
        late = [key for key, r in resources.items()
                if r.get("s") == "doubt" and key not in finished and now - r.get("t", 0) >= DOUBT]
        self.journal.record([res(key, s="queued", stale=False) for key in late])
        return sum(1 for r in resources.values() if r.get("s") in ("sent", "doubt"))

    # -- phase 4: discovery -----------------------------------------------------------------------

    def discover(self):
        meta = self.journal.meta
        ops = []
        if meta.get("scanned") and meta.get("changeToken"):
            try:
                changes = self.library.fetch_persistent_changes(up.ChangeToken(meta["changeToken"]))
            except up.ChangeTokenExpiredError:
                self.journal.record([["meta", "scanned", False], ["meta", "changeToken", None]])
                self.resynced = True  # answer PROCESSING after a resync, whatever it found
                return self.discover()
            wanted = set(meta.get("pendingAssets") or [])
            deleted = set()
            for change in changes:
                wanted.update(change.inserted_assets)
                wanted.update(change.updated_assets)
                deleted.update(change.deleted_assets)
                wanted.difference_update(change.deleted_assets)
            if changes:
                ops.append(["meta", "changeToken", changes[-1].change_token.encoded])
            for key, record in self.journal.resources.items():
                if key.split("#", 1)[0] in deleted and record.get("s") == "queued":
                    ops.append(res(key, s="gone"))
            assets = self.library.fetch_assets(sorted(wanted)) if wanted else []
            missing = wanted - {asset.local_identifier for asset in assets}
            if sorted(missing) != (meta.get("pendingAssets") or []):
                ops.append(["meta", "pendingAssets", sorted(missing)])  # PhotoKit sometimes answers with less
            ops.extend(self.enqueue(assets))
        else:
            token = self.library.current_change_token()
            assets = self.library.fetch_assets()
            if not assets:
                return  # PhotoKit answers an empty scan at times: never trust it, scan again next call
            ops.extend(self.enqueue(assets))
            ops += [["meta", "scanned", True], ["meta", "changeToken", token.encoded], ["meta", "pendingAssets", []]]
        self.journal.record(ops)
        self.progress = self.progress or bool(ops)

    def enqueue(self, assets):
        ops = []
        seq = self.journal.meta.get("seq", 0)
        for asset in sorted(assets, key=lambda a: (a.creation_date, a.local_identifier)):
            for resource in asset.resources:
                key = resource.key()
                record = self.journal.resources.get(key)
                if record is not None and record.get("s") != "gone":
                    continue
                seq += 1
                ops.append(res(key, s="queued", seq=seq, a=0, rf=0, r0=0, nb=0, tok=None,
                               asset=resource.asset_local_identifier, type=resource.type.name,
                               fn=resource.original_filename, uti=resource.uniform_type_identifier,
                               size=resource.file_size))
        if ops:
            ops.append(["meta", "seq", seq])
        return ops

    def read_host_uploads(self):
        """What the host app uploaded itself (``host/uploaded``, past the lines of older servers)."""
        lines = (self.context.storage.read_string("host/uploaded") or "").splitlines()
        seen = self.journal.meta.get("hostLines", 0)
        ops = [res(key.strip(), s="host") for key in lines[seen:]
               if self.journal.resources.get(key.strip(), {}).get("s") == "queued"]
        if len(lines) > seen:
            ops.append(["meta", "hostLines", len(lines)])
        self.journal.record(ops)

    # -- phase 5: create --------------------------------------------------------------------------

    def create(self, in_flight):
        """Creates jobs for the queue's head; True when the system answered limitExceeded."""
        now = self.now()
        room = min(self.library.job_limit(), WINDOW) - in_flight
        head = sorted((r["seq"], key) for key, r in self.journal.resources.items()
                      if r.get("s") == "queued" and r.get("nb", 0) <= now)[:max(room, 0)]
        if not head:
            return False
        block = self.journal.meta.get("block", 0) + 1
        destinations = []
        for _, key in head:
            destination = self.new_destination(key, self.journal.resources[key]["a"] + 1)
            if destination is None:
                break  # no sign-in, or told to stop: nothing more to send with; the next call tries again
            destinations.append((key, destination))
        if not destinations:
            return False
        # The intent: a kill inside the block may fall before or after its commit.
        self.journal.record([["meta", "block", block]] + [
            res(key, s="doubt", a=self.journal.resources[key]["a"] + 1, t=now, b=block) for key, _ in destinations])
        try:
            with self.library.perform_changes() as changes:
                for key, destination in destinations:
                    r = self.journal.resources[key]
                    changes.create_job(up.AssetResource(r["asset"], up.ResourceType[r["type"]], r["fn"], r["uti"],
                                                        r["size"]), destination)
        except up.PhotosError as e:
            # Rejected as a whole: nothing was created; the attempt numbers go back.
            self.journal.record([res(key, s="queued", a=self.journal.resources[key]["a"] - 1)
                                 for key, _ in destinations])
            if e.code == up.PhotosErrorCode.LIMIT_EXCEEDED:
                return True
            if e.code == up.PhotosErrorCode.IDENTIFIER_NOT_FOUND:
                self.drop_vanished([key for key, _ in destinations])
            return False
        self.journal.record([res(key, s="sent") for key, _ in destinations])
        self.progress = True
        return False

    def drop_vanished(self, keys):
        self.journal.record([res(key, s="gone") for key in keys if self.library.fetch_resource(key) is None])


class GooglePhotosJournalExtension(up.UploadExtension):
    def __init__(self):
        self.terminating = threading.Event()
        self.auth = None  # (token, expires at, token URL): memory only, as a bearer token should be
        self.journal = None

    def process_jobs(self, context):
        self.terminating.clear()
        authorized = context.library.authorization_status() == up.AuthorizationStatus.AUTHORIZED
        try:
            return Call(self, context).run(authorized)
        except up.StorageUnavailableError:
            return up.ProcessingResult.FAILURE  # the app group is locked: nothing durable can be done

    def will_terminate(self):
        self.terminating.set()


if __name__ == "__main__":
    up.run(GooglePhotosJournalExtension)
