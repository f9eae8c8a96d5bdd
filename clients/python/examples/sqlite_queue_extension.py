#!/usr/bin/env python3
"""An iOS 26.1-era extension with a durable SQLite work queue (the Ente Photos fork, reference §10).

Written from the reference document, not from upcert's sample or ``reference_extension.py``. Its
style, unlike theirs:

- **26.1 APIs only.** The deprecated ``createJob`` (its return value, a 26.4 placeholder, is never
  used), no ``cancel``, no ``fetchJobs(.process)``: nothing shows this extension a job in flight,
  only jobs that finished (``.acknowledge``, ``.retry``). From iOS 26.4 on it reads a failed job's
  ``error`` and lowercase ``response_header_fields`` (``#available``), before that it judges a failure
  by its own count of attempts.
- **A work queue, not a ledger walk.** A discovery pass enqueues resources (a full scan once, then
  persistent changes); a drain pass creates jobs from the queue head, within ``min(jobLimit, window)``
  minus the jobs its queue knows to be unacknowledged; a settle pass records every finished job's
  outcome in the queue, then acknowledges (or retries) it.
- **Job identity from the destination.** Every destination carries ``X-Queue-Entry: <key> <attempt>
  <block>``; ``resource`` may be nil on terminal jobs (26.x devices), the header is always there.

**Where the SQLite database lives, and why not as a file.** On a device the queue would be a SQLite
file in the app-group container, its rollback journal beside it, and a kill mid-transaction is
repaired by SQLite at the next open. Here the app group is reachable only through the protocol's
``context.storage`` (``read``, atomic ``write``, ``append``, ``delete``): the extension's own file
system is read-only but a scratch folder that is emptied before every launch, so a database file
there would not survive a relaunch (and nothing else is writable). So SQLite is the query engine, in
memory, and durability is this module's: the app group holds a snapshot of the database
(``queue/snapshot``, SQL text, replaced atomically) and a redo journal (``queue/journal-<n>``), one
appended record per committed transaction: the transaction's statements with their parameters, framed
by a CRC-32. A transaction is applied in memory under a SAVEPOINT and released only once its record
was appended; a kill or a locked container before that rolls it back, and the record is then either
whole in the journal (replayed at the next open) or absent. A record that fails its CRC ends the
replay (a torn tail: the storage API appends all or nothing, but a real file system does not). A
checkpoint writes a new snapshot naming the next journal, then deletes the old journal; a kill
between the two leaves an old journal the snapshot no longer names, which is ignored and deleted later.

**What a 26.1 design cannot see, and how it copes.** A create block is all or nothing, but a kill
inside ``performChanges`` may come before or after the commit, and no API before 26.5 lists the jobs
in flight. So the queue writes an *intent* before each block (its rows become ``doubt``, numbered by
block) and marks them ``sent`` once the block returned. A ``doubt`` block is settled by evidence:
any of its jobs showing up finished proves the whole block committed; a job of a *later* block
finishing while none of it did, ten minutes on, or nothing of ours in flight for fifteen, is taken to
mean it never committed, and its rows go back to the queue. Doubt rows count as jobs under the limit
while they wait, so a block that committed is never doubled (DUP-01) while its jobs are in flight.

Retries: a failure with no response (offline, timeout, lost connection, an original iCloud could not
deliver) is retried at once with a fresh destination, then recreated; a ``-1013`` signs in again
and retries; ``retry-after`` is honoured by a new job after it; any other answer is a refusal:
retried once with a fresh sign-in, then recreated with a growing pause (1, 2, 4, 8, 15 minutes
after the third in a row), and abandoned only after 6 refusals spanning 35 minutes (a ``retry-after``
is not one of them). A response naming
the stored object (``x-object-id``, ``etag``) is a success, whatever the job's state (a 204 reported
as failed). Each outcome is counted once: the queue records the attempt it last counted.

Run it with ``./upcert certify --extension-cmd "python3 clients/python/examples/sqlite_queue_extension.py"``.
"""

import json
import os
import sqlite3
import sys
import threading
import urllib.parse
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import upcert_extension as up  # noqa: E402 - after the path

SNAPSHOT = "queue/snapshot"
JOURNAL = "queue/journal-"
ENTRY_HEADER = "X-Queue-Entry"
WINDOW = 64                 # the most unacknowledged jobs the queue keeps, under jobLimit
BLOCK = 16                  # jobs per create block (each block is one intent, one commit)
CHECKPOINT_RECORDS = 150    # journal records before a new snapshot
MINUTE = 60 * 1000
DOUBT_AFTER_LATER = 10 * MINUTE   # a later block finished, none of this one: never committed
DOUBT_ALONE = 15 * MINUTE         # nothing of ours in flight for this long: never committed
GIVE_UP_REFUSALS = 6
GIVE_UP_SPAN = 35 * MINUTE
TOKEN_MARGIN = 5 * MINUTE
NO_RESPONSE = (-1, -999, -1001, -1003, -1004, -1005, -1008, -1009, -1011, -1020)

SCHEMA = """
CREATE TABLE meta(k TEXT PRIMARY KEY, v TEXT);
CREATE TABLE work(
  key TEXT PRIMARY KEY, asset TEXT NOT NULL, rtype TEXT NOT NULL, filename TEXT NOT NULL,
  uti TEXT NOT NULL, size INTEGER NOT NULL, seq INTEGER NOT NULL,
  status TEXT NOT NULL,                -- queued | doubt | sent | done | gone | abandoned
  attempt INTEGER NOT NULL DEFAULT 0,  -- the attempt stamped on the newest destination
  counted INTEGER NOT NULL DEFAULT 0,  -- the newest attempt whose outcome was counted
  block INTEGER NOT NULL DEFAULT 0,    -- the create block of a doubt/sent row
  since INTEGER NOT NULL DEFAULT 0,    -- when the row entered doubt/sent
  not_before INTEGER NOT NULL DEFAULT 0,
  refusals INTEGER NOT NULL DEFAULT 0, first_refusal INTEGER NOT NULL DEFAULT 0,
  stale INTEGER NOT NULL DEFAULT 0     -- its job went to a server the account has left
);
CREATE INDEX work_by_status ON work(status, seq);
"""


class DurableQueue:
    """SQLite in memory, made durable by a snapshot and a CRC-framed redo journal in the app group."""

    def __init__(self, storage):
        self.storage = storage
        self.db = sqlite3.connect(":memory:", isolation_level=None)
        self.db.row_factory = sqlite3.Row
        snapshot = storage.read_string(SNAPSHOT)
        self.journal = 0
        if snapshot is None:
            self.db.executescript(SCHEMA)
        else:
            header, _, dump = snapshot.partition("\n")
            self.journal = int(header.rsplit("=", 1)[1])
            self.db.executescript(dump)
        self.records = 0
        text = storage.read_string(JOURNAL + str(self.journal)) or ""
        for line in text.split("\n"):
            crc, _, payload = line.partition(" ")
            if not payload or "%08x" % zlib.crc32(payload.encode("utf-8")) != crc:
                break  # a torn tail: what follows was never committed
            for sql, params in json.loads(payload):
                self.db.execute(sql, params)
            self.records += 1

    def commit(self, statements):
        """Applies the statements as one transaction, durable once this returns."""
        if not statements:
            return
        self.db.execute("SAVEPOINT tx")
        try:
            for sql, params in statements:
                self.db.execute(sql, params)
            payload = json.dumps(statements, separators=(",", ":"))
            self.storage.append_string(JOURNAL + str(self.journal),
                                       "%08x %s\n" % (zlib.crc32(payload.encode("utf-8")), payload))
        except BaseException:
            self.db.execute("ROLLBACK TO tx")
            self.db.execute("RELEASE tx")
            raise
        self.db.execute("RELEASE tx")
        self.records += 1

    def checkpoint(self):
        """A new snapshot naming the next journal, then the old journals go."""
        if self.records < CHECKPOINT_RECORDS:
            return
        dump = "\n".join(self.db.iterdump())
        self.storage.write_string(SNAPSHOT, "-- queue snapshot journal=%d\n%s" % (self.journal + 1, dump))
        self.journal += 1
        self.records = 0
        for name in self.storage.list(JOURNAL):
            if int(name[len(JOURNAL):]) < self.journal:
                self.storage.delete(name)

    def meta(self, key, default=None):
        row = self.db.execute("SELECT v FROM meta WHERE k=?", (key,)).fetchone()
        return default if row is None else row[0]

    def count(self, where, params=()):
        return self.db.execute("SELECT COUNT(*) FROM work WHERE " + where, params).fetchone()[0]

    def row(self, key):
        return self.db.execute("SELECT * FROM work WHERE key=?", (key,)).fetchone()


def set_meta(key, value):
    return ["INSERT OR REPLACE INTO meta(k, v) VALUES(?, ?)", [key, None if value is None else str(value)]]


def entry_of(job):
    """(key, attempt, block) from the destination header, else from the resource; None if neither."""
    value = job.destination.header(ENTRY_HEADER) if job.destination is not None else None
    if value:
        parts = value.split(" ")
        if len(parts) == 3:
            return urllib.parse.unquote(parts[0]), int(parts[1]), int(parts[2])
    if job.resource is not None:
        return job.resource.key(), 0, 0
    return None


def counts_as_refusal(retry_after):
    """Whether a server-answered failure counts toward giving up: not a throttle (``retry-after``: the
    server asked for a later attempt; explore:202 gave a photo up after 4 refusals and 2 of those)."""
    return retry_after is None


def under(url, base):
    return url.startswith(base if base.endswith("/") else base + "/")


class Call:
    """One process_jobs call: follow the server, settle finished jobs, discover, drain."""

    def __init__(self, extension, context):
        self.stop = extension.stop
        self.context = context
        self.library = context.library
        self.now = context.clock.millis
        self.queue = DurableQueue(context.storage)
        self.progress_note = []

    # -- the account and its credentials --

    def follow_server(self):
        text = self.context.storage.read_string(up.AppGroupStorage.HOST_APP_SERVER) or ""
        fields = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
        generation = fields.get("generation", "0")
        if self.queue.meta("server", "0") == generation:
            return
        # Another server: it holds nothing of ours. Jobs still out went to the old one.
        self.queue.commit([
            ["UPDATE work SET status='queued', refusals=0, first_refusal=0, not_before=0 "
             "WHERE status IN ('done','abandoned')", []],
            ["UPDATE work SET stale=1 WHERE status IN ('doubt','sent')", []],
            set_meta("server", generation), set_meta("token", None),
            set_meta("host_lines", fields.get("hostUploadedLines", "0"))])

    def bearer(self):
        """A bearer token for the current server, signing in when none is valid. None if sign-in failed."""
        settings = self.context.cloud_settings
        token, expires = self.queue.meta("token"), int(self.queue.meta("token_expires", "0"))
        if token and expires > self.now() and self.queue.meta("token_secret") == settings.client_secret:
            return token
        form = "grant_type=client_credentials&client_id=%s&client_secret=%s" % (
            urllib.parse.quote(settings.client_id, safe=""), urllib.parse.quote(settings.client_secret, safe=""))
        request = up.UploadRequest(settings.token_url, "POST",
                                   {"Content-Type": "application/x-www-form-urlencoded"})
        try:
            response = self.context.http.send(request, form)
        except up.TransportError as e:
            self.context.log.warn("sign-in: no response (%s)" % e.error)
            return None
        if not response.is_successful:
            self.context.log.warn("sign-in refused: %d" % response.status)
            return None
        try:
            answer = json.loads(response.body_text())
            token, lifetime = str(answer["access_token"]), int(answer.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError):
            self.context.log.warn("sign-in: malformed answer")
            return None
        self.queue.commit([set_meta("token", token), set_meta("token_secret", settings.client_secret),
                           set_meta("token_expires", self.now() + lifetime * 1000 - TOKEN_MARGIN)])
        return token

    def forget_token(self):
        if self.queue.meta("token"):
            self.queue.commit([set_meta("token", None)])

    def destination(self, row, attempt, block, token):
        base = self.context.upload_url_base
        url = "%sfiles/queue/%s/%s" % (base if base.endswith("/") else base + "/",
                                       urllib.parse.quote(row["key"], safe=""),
                                       urllib.parse.quote(row["filename"] or "original", safe=""))
        return up.UploadRequest(url, "PUT", {
            "Authorization": "Bearer " + token,
            ENTRY_HEADER: "%s %d %d" % (urllib.parse.quote(row["key"], safe=""), attempt, block)})

    # -- settle: outcomes recorded, then acknowledged or retried --

    def settle(self, consent):
        """Returns whether a finished job was seen."""
        finished = self.library.fetch_jobs(up.JobAction.ACKNOWLEDGE)
        if not finished:
            return False
        retryable = {job.local_identifier for job in self.library.fetch_jobs(up.JobAction.RETRY)}
        detailed = self.context.os_at_least("26.4")
        now = self.now()
        statements, acks, retries, confirmed = [], [], [], set()
        highest_block = int(self.queue.meta("finished_block", "0"))
        want_token = False
        plans = []
        for job in finished:
            entry = entry_of(job)
            row = self.queue.row(entry[0]) if entry is not None else None
            if row is None:
                acks.append(job)  # not ours, or a resource the queue forgot: nothing to record
                continue
            key, attempt, block = entry
            if block:
                confirmed.add(block)
                highest_block = max(highest_block, block)
            plan = self.judge(job, row, attempt, detailed, now, consent and job.local_identifier in retryable)
            plans.append((job, row, attempt, block, plan))
            want_token = want_token or plan[0] in ("retry", "retry-again")
        if any(plan[2] for _, _, _, _, plan in plans):
            self.forget_token()  # a refusal may be the credentials': the next destination signs in afresh
        token = self.bearer() if want_token else None
        next_block = int(self.queue.meta("block", "0"))
        for job, row, attempt, block, plan in plans:
            action, fields, _ = plan
            if action in ("retry", "retry-again") and token is None:
                action = "ack"
                fields = dict(fields, status="queued", not_before=now + MINUTE)
            if action == "retry":
                next_block += 1
                fields = dict(fields, status="sent", attempt=row["attempt"] + 1, block=next_block, since=now)
                retries.append((job, self.destination(row, row["attempt"] + 1, next_block, token)))
            elif action == "retry-again":  # the retry recorded before a kill, never committed
                retries.append((job, self.destination(row, row["attempt"], row["block"], token)))
            else:
                acks.append(job)
            if fields:
                names = sorted(fields)
                statements.append(["UPDATE work SET %s WHERE key=?" % ", ".join("%s=?" % n for n in names),
                                   [fields[n] for n in names] + [row["key"]]])
        for block in sorted(confirmed):
            statements.append(["UPDATE work SET status='sent' WHERE status='doubt' AND block=?", [block]])
        statements += [set_meta("finished_block", highest_block), set_meta("block", next_block),
                       set_meta("last_finish", now)]
        self.queue.commit(statements)  # ACK-03: every outcome is durable before its job goes
        with self.library.perform_changes() as changes:
            for job, destination in retries:
                changes.retry(job, destination)
            for job in acks:
                changes.acknowledge(job)
        self.progress_note.append("%d acknowledged, %d retried" % (len(acks), len(retries)))
        return True

    def judge(self, job, row, attempt, detailed, now, can_retry):
        """(action, row fields to set, whether the credentials are suspect) for one finished job."""
        current = attempt == row["attempt"] and row["status"] in ("doubt", "sent")
        if not current:
            # An older attempt's job: a retry recorded but never committed (a kill), or a job of a
            # block the queue took for uncommitted.
            if row["status"] == "sent" and attempt == row["attempt"] - 1 and job.state == up.JobState.FAILED:
                if can_retry:
                    return "retry-again", {}, False
                return "ack", {"status": "queued", "not_before": now}, False
            if row["status"] == "queued" and job.state == up.JobState.SUCCEEDED and job.destination is not None \
                    and under(job.destination.url, self.context.upload_url_base):
                # Its bytes are on the account's server after all. (Not if it went to a server the
                # account has left since: explore:4 seed 4 lost 4 photos that way.)
                return "ack", {"status": "done"}, False
            return "ack", {}, False
        if row["stale"] or not under(job.destination.url if job.destination else "", self.context.upload_url_base):
            return "ack", {"status": "queued", "stale": 0, "not_before": 0}, False
        fresh = attempt > row["counted"]
        counted = {"counted": attempt}
        if job.state == up.JobState.SUCCEEDED:
            return "ack", dict(counted, status="done", refusals=0, first_refusal=0), False
        headers = job.response_header_fields if detailed else None
        error = job.error if detailed else None
        code = error.code if error is not None else None
        if headers is not None and (headers.get("x-object-id") or headers.get("etag")):
            return "ack", dict(counted, status="done", refusals=0, first_refusal=0), False  # stored: a 204 marked failed
        if code == up.UploadError.FILE_DOES_NOT_EXIST:
            return "ack", dict(counted, status="gone"), False
        if code == up.UploadError.BLOCKED_BY_POLICY:
            return "ack", dict(counted, status="abandoned"), False
        if detailed and headers is None and code in NO_RESPONSE:
            # Nothing answered: the server refused nothing. Again at once, then a new job.
            if can_retry:
                return "retry", counted, False
            return "ack", dict(counted, status="queued", not_before=now), False
        retry_after = headers.get("retry-after") if headers is not None else None
        refused = fresh and counts_as_refusal(retry_after)
        refusals = row["refusals"] + (1 if refused else 0)
        first = row["first_refusal"] or (now if refused else 0)
        fields = dict(counted, refusals=refusals, first_refusal=first)
        if retry_after is not None:
            wait = int(retry_after) * 1000 if retry_after.strip().isdigit() else MINUTE
            return "ack", dict(fields, status="queued", not_before=now + max(wait, self.pause(refusals))), False
        if refusals >= GIVE_UP_REFUSALS and now - first >= GIVE_UP_SPAN:
            return "ack", dict(fields, status="abandoned"), False
        if can_retry and refusals < 3:
            return "retry", fields, True  # a fresh sign-in: the refusal may be the credentials'
        return "ack", dict(fields, status="queued", not_before=now + self.pause(refusals)), True

    @staticmethod
    def pause(refusals):
        return 0 if refusals < 3 else min(MINUTE << (refusals - 3), 15 * MINUTE)

    # -- discover: enqueue what the library holds --

    def discover(self):
        """Returns "ok", "expired" (resynchronised: answer PROCESSING) or "silent" (the library did not answer)."""
        token = self.queue.meta("change_token")
        outcome = "ok"
        try:
            if token is not None:
                try:
                    changes = self.library.fetch_persistent_changes(up.ChangeToken(token))
                except up.ChangeTokenExpiredError:
                    self.queue.commit([set_meta("change_token", None)])
                    return "expired" if self.scan() else "silent"
                return "ok" if self.apply_changes(token, changes) else "silent"
            return outcome if self.scan() else "silent"
        except up.PhotosError as e:
            self.context.log.warn("the library did not answer: %s" % e)
            return "silent"

    def scan(self):
        before = self.library.current_change_token()
        assets = self.library.fetch_assets()
        if not assets:
            return False  # "returns nothing at times": not an empty library
        statements = self.enqueue(assets)
        present = sorted({a.local_identifier for a in assets})
        self.queue.db.execute("CREATE TEMP TABLE IF NOT EXISTS present(asset TEXT PRIMARY KEY)")
        self.queue.db.execute("DELETE FROM present")
        self.queue.db.executemany("INSERT INTO present VALUES(?)", [(a,) for a in present])
        missing = [r[0] for r in self.queue.db.execute(
            "SELECT key FROM work WHERE status IN ('queued','abandoned') "
            "AND asset NOT IN (SELECT asset FROM present) ORDER BY key")]
        statements += [["UPDATE work SET status='gone' WHERE key=?", [key]] for key in missing]
        statements.append(set_meta("change_token", before.encoded))
        self.queue.commit(statements)
        self.progress_note.append("scanned %d assets" % len(assets))
        return True

    def apply_changes(self, token, changes):
        if not changes:
            return True
        deleted, wanted = [], []
        for change in changes:
            deleted += change.deleted_assets
            wanted += change.inserted_assets + change.updated_assets
        gone = set(deleted)
        wanted = sorted(set(wanted) - gone)
        assets = self.library.fetch_assets(wanted) if wanted else []
        if wanted and not assets:
            return False  # asked for assets the history names and got nothing: keep the token
        statements = self.enqueue(assets)
        for asset in sorted(gone):
            statements.append(["UPDATE work SET status='gone' WHERE asset=? AND status IN ('queued','abandoned')",
                               [asset]])
        statements.append(set_meta("change_token", changes[-1].change_token.encoded))
        self.queue.commit(statements)
        return True

    def enqueue(self, assets):
        seq = self.queue.db.execute("SELECT COALESCE(MAX(seq), 0) FROM work").fetchone()[0]
        statements = []
        for asset in assets:
            for resource in asset.resources:
                known = self.queue.row(resource.key())
                if known is not None and known["status"] != "gone":
                    continue
                seq += 1
                if known is not None:  # deleted, then back (a change seen out of order): to upload
                    statements.append(["UPDATE work SET status='queued', seq=? WHERE key=?", [seq, resource.key()]])
                    continue
                statements.append(["INSERT INTO work(key, asset, rtype, filename, uti, size, seq, status) "
                                   "VALUES(?,?,?,?,?,?,?,'queued')",
                                   [resource.key(), resource.asset_local_identifier, resource.type.name,
                                    resource.original_filename, resource.uniform_type_identifier,
                                    resource.file_size, seq]])
        return statements

    def take_host_uploads(self):
        """The host app's own uploads (``host/uploaded``): done, if they wait in the queue."""
        text = self.context.storage.read_string(up.AppGroupStorage.HOST_APP_UPLOADS) or ""
        lines = [line for line in text.split("\n") if line]
        seen = int(self.queue.meta("host_lines", "0"))
        if len(lines) <= seen:
            return
        statements = [["UPDATE work SET status='done' WHERE key=? AND status IN ('queued','abandoned')", [key]]
                      for key in lines[seen:]]
        statements.append(set_meta("host_lines", len(lines)))
        self.queue.commit(statements)

    # -- doubt: create blocks whose commit no API showed --

    def settle_doubt(self, now):
        finished_block = int(self.queue.meta("finished_block", "0"))
        in_flight = self.queue.count("status='sent'")
        statements = []
        for row in self.queue.db.execute("SELECT block, MIN(since) AS since FROM work WHERE status='doubt' "
                                         "GROUP BY block ORDER BY block").fetchall():
            waited = now - row["since"]
            if (finished_block > row["block"] and waited >= DOUBT_AFTER_LATER) or \
                    (in_flight == 0 and waited >= DOUBT_ALONE):
                statements.append(["UPDATE work SET status='queued', stale=0 WHERE status='doubt' AND block=?",
                                   [row["block"]]])
        self.queue.commit(statements)

    # -- drain: jobs from the queue head --

    def drain(self):
        """Returns "limit" if the system refused a block for the job limit, "signin" if no token, else None."""
        now = self.now()
        capacity = min(self.library.job_limit(), WINDOW) - self.queue.count("status IN ('doubt','sent')")
        if capacity <= 0:
            return None
        rows = self.queue.db.execute("SELECT * FROM work WHERE status='queued' AND not_before<=? "
                                     "ORDER BY seq LIMIT ?", (now, capacity)).fetchall()
        if not rows:
            return None
        token = self.bearer()
        if token is None:
            return "signin"
        return self.create(rows, token)

    def create(self, rows, token):
        """Jobs for the rows, in blocks, each after its intent; "limit" if the job limit stopped it."""
        created = 0
        for start in range(0, len(rows), BLOCK):
            if self.stop.is_set():
                break
            chunk = rows[start:start + BLOCK]
            block = int(self.queue.meta("block", "0")) + 1
            now = self.now()
            jobs = [(row, self.destination(row, row["attempt"] + 1, block, token)) for row in chunk]
            self.queue.commit([set_meta("block", block)] + [  # the intent, before the commit
                ["UPDATE work SET status='doubt', attempt=?, block=?, since=? WHERE key=?",
                 [row["attempt"] + 1, block, now, row["key"]]] for row in chunk])
            try:
                with self.library.perform_changes() as changes:
                    for row, destination in jobs:
                        changes.create_job(up.AssetResource(row["asset"], up.ResourceType[row["rtype"]],
                                                            row["filename"], row["uti"], row["size"]), destination)
            except up.PhotosError as e:
                self.queue.commit([["UPDATE work SET status='queued' WHERE status='doubt' AND block=?", [block]]])
                if e.code == up.PhotosErrorCode.LIMIT_EXCEEDED:
                    return "limit"
                if e.code == up.PhotosErrorCode.IDENTIFIER_NOT_FOUND:
                    self.drop_missing(chunk)
                    continue
                raise
            self.queue.commit([["UPDATE work SET status='sent' WHERE status='doubt' AND block=?", [block]]])
            created += len(chunk)
        self.progress_note.append("%d jobs created" % created)
        return None

    def drop_missing(self, chunk):
        """A block refused for a resource whose asset is gone: find which, mark them gone."""
        present = {a.local_identifier for a in self.library.fetch_assets(sorted({r["asset"] for r in chunk}))}
        self.queue.commit([["UPDATE work SET status='gone' WHERE key=?", [r["key"]]]
                           for r in chunk if r["asset"] not in present])

    # -- the call --

    def run(self):
        self.follow_server()
        consent = (self.library.authorization_status() == up.AuthorizationStatus.AUTHORIZED
                   and self.library.is_upload_job_extension_enabled())
        self.settle(consent)
        if self.stop.is_set():
            return up.ProcessingResult.PROCESSING
        if not consent:
            self.queue.checkpoint()
            return self.answer()
        discovery = self.discover()
        self.take_host_uploads()
        self.settle_doubt(self.now())
        drained = None
        if not self.stop.is_set():
            drained = self.drain()
        self.queue.checkpoint()
        if self.progress_note:
            self.context.log.info("; ".join(self.progress_note))
        if self.stop.is_set() or drained == "limit" or discovery == "expired":
            return up.ProcessingResult.PROCESSING
        if discovery == "silent" or drained == "signin":
            return up.ProcessingResult.FAILURE  # not up to date with the library, or no way to upload
        return self.answer()

    def answer(self):
        if self.queue.count("status IN ('queued','doubt','sent')"):
            return up.ProcessingResult.PROCESSING
        return up.ProcessingResult.COMPLETED


class SqliteQueueExtension(up.UploadExtension):
    def __init__(self):
        self.stop = threading.Event()

    def process_jobs(self, context):
        self.stop.clear()  # the same instance serves the next call of this process
        try:
            return Call(self, context).run()
        except up.StorageUnavailableError:
            return up.ProcessingResult.FAILURE  # the container is locked: touch nothing, acknowledge nothing
        except Exception as e:  # RES-04: nothing escapes; ProcessKilled (a BaseException) passes
            try:
                context.log.error("call failed: %s: %s" % (type(e).__name__, e))
            except Exception:
                pass
            return up.ProcessingResult.FAILURE

    def will_terminate(self):
        self.stop.set()


if __name__ == "__main__":
    up.run(SqliteQueueExtension)
