#!/usr/bin/env python3
"""The reference upload extension in Python: what a correct extension does, written to be copied.

A port of upcert's Java sample (sample-extension/) for the generic-put cloud, on the Python
client (clients/python/upcert_extension.py, standard library only). Certify it with::

    ./upcert certify --extension-cmd "python3 clients/python/examples/reference_extension.py"

One call of ``process_jobs``, in the order the system expects (ProcessingRound):

1. consent: without full access and an enabled extension, acknowledge only (CNS-01);
2. discovery: bring the ledger up to date with the library through persistent change tokens,
   resynchronising when the token expired (CHG-01, CHG-02);
3. retry failed jobs on what a device shows (sanitized code, lowercase headers; no HTTP status):
   failures without a response with the same destination, authentication failures with fresh
   credentials; a server's refusal never as is — a new job later, spaced out, given up only
   once the server has refused it for half an hour (RTY-01..03);
4. acknowledge every other finished job, its outcome stored in the ledger first (ACK-01..03),
   so no presented job is left unhandled (the 50008 penalty, ACK-02);
5. create jobs into the free capacity, oldest resource first; stop at LIMIT_EXCEEDED and
   answer PROCESSING (CAP-01);
6. answer PROCESSING while work remains, COMPLETED when none does, FAILURE only for what a
   later call cannot fix either (RES-01, RES-02).

A termination flag set by ``will_terminate`` is polled between steps and change blocks, and
reset at the start of every call (the same instance serves many calls). Memory is only a cache:
the ledger lives in ``context.storage`` as a snapshot plus an append-only journal, so a kill
between any two storage calls loses nothing. Which resources already have a job is read from
the system's job sets, never remembered. Response headers are read by lowercase name (CLD-01),
and a job whose ``resource`` is None is identified from its destination (CLD-02).

Nothing here reads the wall clock, draws random numbers or starts a thread: the same library and
the same faults give the same calls.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import urllib.parse
from dataclasses import dataclass, replace
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Set, Tuple, TypeVar

try:
    import upcert_extension as up
except ImportError:  # run from a checkout without upcert's PYTHONPATH: the client is one folder up
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
    import upcert_extension as up

T = TypeVar("T")

SECOND = 1000
MINUTE = 60 * SECOND

# --- how changes are batched ---------------------------------------------------------------

#: Jobs retried, acknowledged or cancelled per block.
CHANGE_BLOCK = 50
#: Jobs created per block: smaller, so LIMIT_EXCEEDED or a deleted asset costs little.
CREATE_BLOCK = 20
#: Simulated time a call may spend obtaining destinations (a third of a 60 s runtime).
DESTINATION_BUDGET_MS = 20 * SECOND


def batches(items: Sequence[T], size: int) -> List[List[T]]:
    return [list(items[start:start + size]) for start in range(0, len(items), size)]


# --- what a failure means --------------------------------------------------------------------

TRANSIENT = "TRANSIENT"                          # no response (or retry-after): retry as is, or a new job later
REAUTHENTICATE = "REAUTHENTICATE"                # authentication required: retry with fresh credentials
REFUSED = "REFUSED"                              # any other answer: never resent as is; a new job later (RTY-02)
PERMANENT = "PERMANENT"                          # blocked by policy: acknowledge, never retry
STORED_DESPITE_FAILURE = "STORED_DESPITE_FAILURE"  # the answer names the stored object: the bytes are there (DUP-02)


def classify(job: up.UploadJob, cloud) -> str:
    """The kind of a failed job, on what a device shows: the sanitized code and the lowercase
    response headers (there when a response arrived). PhotoKit documents no HTTP status on the
    job, so this never reads ``error.http_status``: a 400 and a 503 look alike.

    An unknown failure without a response counts as transient: giving up on a photo for an
    unexplained failure loses it for good, trying again costs one upload.
    """
    error = job.error
    headers = job.response_header_fields
    if headers is not None:
        if cloud.server_id(job):
            return STORED_DESPITE_FAILURE  # a 2xx the system reported as failed (a device quirk)
        if error is not None and error.code == up.UploadError.USER_AUTHENTICATION_REQUIRED:
            return REAUTHENTICATE
        if "retry-after" in headers:
            return TRANSIENT
        return REFUSED
    if error is None:
        return TRANSIENT
    if error.code == up.UploadError.USER_AUTHENTICATION_REQUIRED:
        return REAUTHENTICATE
    if error.code == up.UploadError.BLOCKED_BY_POLICY:
        return PERMANENT  # outside BackgroundUploadURLBase: the system will never send it
    return TRANSIENT


# --- when to try again -----------------------------------------------------------------------

#: Refusals (answered, no retry-after) of one resource before it may be given up: more than the 5
#: upcert asks for, with a margin for a refusal counted twice after a kill.
GIVE_UP_REFUSALS = 8
#: How long the server must have kept refusing it: longer than any burst of server errors.
GIVE_UP_SPAN_MS = 30 * MINUTE
#: The longest a resource waits for its next job: under the ~5 minutes the system waits after a
#: PROCESSING answer without progress, so every deferred resource is due when it calls (RES-03).
MAX_WAIT_MS = 4 * MINUTE
FIRST_WAIT_MS = 5 * SECOND
#: On iOS 26.1 a failed job shows neither error nor headers: it may have been refused, and a refusal
#: must not be resent at once again and again (RTY-02). A resource with this many failed jobs behind
#: it is no longer retried in place when its failure is unexplained; it gets a new job after the
#: backoff (the sample's RetryPolicy.UNEXPLAINED_RETRIES_IN_PLACE).
UNEXPLAINED_RETRIES_IN_PLACE = 2


def gives_up(refusals: int, first_refusal: int, not_before: int) -> bool:
    """Whether a refused resource is given up: enough refusals, spanning at least GIVE_UP_SPAN_MS
    (the first was noticed at ``first_refusal``, the job just refused was created no earlier
    than ``not_before``), so a burst of server errors never loses a photo (RTY-01)."""
    return refusals >= GIVE_UP_REFUSALS and first_refusal > 0 and not_before - first_refusal >= GIVE_UP_SPAN_MS


def backoff_ms(attempts: int) -> int:
    """5 s, 20 s, 80 s, then MAX_WAIT."""
    wait = FIRST_WAIT_MS
    i = 1
    while i < attempts and wait < MAX_WAIT_MS:
        wait *= 4
        i += 1
    return min(wait, MAX_WAIT_MS)


def retry_after_ms(headers, now_ms: int) -> Optional[int]:
    """The server's Retry-After (RTY-04), read by its lowercase name (CLD-01); capped."""
    if headers is None:
        return None
    value = headers.get("retry-after")
    if value is None:
        return None
    text = value.strip()
    try:
        wait = int(text) * SECOND
    except ValueError:
        import email.utils  # here, not at the top: a process starts faster without it (a relaunch per kill)
        try:
            at = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if at is None:
            return None
        wait = int(at.timestamp() * 1000) - now_ms
    if wait <= 0:
        return None
    return min(wait, MAX_WAIT_MS)


def next_attempt_at(now_ms: int, attempts: int, retry_after: Optional[int]) -> int:
    wait = backoff_ms(attempts)
    if retry_after is not None and retry_after > wait:
        wait = retry_after
    return now_ms + wait


# --- the ledger: what happened to every resource, durable -------------------------------------

NEEDS_UPLOAD = "NEEDS_UPLOAD"  # in the library, not in the cloud yet (it may have a job in flight)
UPLOADED = "UPLOADED"          # the server confirmed it
ABANDONED = "ABANDONED"        # refused for good, or too many failed attempts
GONE = "GONE"                  # its asset was deleted before it was uploaded
STATUSES = (NEEDS_UPLOAD, UPLOADED, ABANDONED, GONE)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _unescape(text: str) -> str:
    out = []
    i = 0
    while i < len(text):
        c = text[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        if i + 1 >= len(text):
            raise ValueError("dangling backslash")
        nxt = text[i + 1]
        mapping = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}
        if nxt not in mapping:
            raise ValueError("bad escape \\" + nxt)
        out.append(mapping[nxt])
        i += 2
    return "".join(out)


@dataclass(frozen=True)
class LedgerEntry:
    """One resource's whole state; also one journal line (so replaying a line twice is harmless).

    ``key`` is ``asset#TYPE``; ``attempts`` counts its failed jobs; ``order`` is the discovery
    order (jobs are created oldest first); ``not_before`` the earliest simulated ms for its next job;
    ``refusals`` how many of its jobs the server refused, the first noticed at ``first_refusal``;
    ``job_since`` when this extension's job for it was committed, 0 if none is believed in flight —
    kept only where the OS shows no PROCESS set (before iOS 26.5), cleared by the job's outcome.
    """
    key: str
    status: str
    attempts: int
    server_id: str
    order: int
    not_before: int
    refusals: int = 0
    first_refusal: int = 0
    job_since: int = 0

    @staticmethod
    def discovered(key: str, order: int) -> "LedgerEntry":
        return LedgerEntry(key, NEEDS_UPLOAD, 0, "", order, 0)

    def uploaded(self, server_id: str) -> "LedgerEntry":
        return replace(self, status=UPLOADED, server_id=server_id or self.server_id, not_before=0, job_since=0)

    def failed_again(self, not_before: int) -> "LedgerEntry":
        return replace(self, status=NEEDS_UPLOAD, attempts=self.attempts + 1, not_before=not_before, job_since=0)

    def refused_again(self, now: int, not_before: int) -> "LedgerEntry":
        return replace(self, status=NEEDS_UPLOAD, attempts=self.attempts + 1, not_before=not_before,
                       refusals=self.refusals + 1, first_refusal=self.first_refusal or now, job_since=0)

    def abandoned(self) -> "LedgerEntry":
        return replace(self, status=ABANDONED, attempts=self.attempts + 1, not_before=0, job_since=0)

    def with_status(self, status: str) -> "LedgerEntry":
        return replace(self, status=status)

    def with_job_since(self, since_ms: int) -> "LedgerEntry":
        return replace(self, job_since=max(1, since_ms))

    def without_job(self) -> "LedgerEntry":
        return replace(self, job_since=0)

    @property
    def job_in_flight(self) -> bool:
        return self.job_since != 0

    def due_at(self, now_ms: int) -> bool:
        return self.not_before <= now_ms

    @property
    def asset(self) -> str:
        return asset_of(self.key)

    def to_line(self) -> str:
        refusals = ("\t%d\t%d\t%d" % (self.refusals, self.first_refusal, self.job_since) if self.job_since
                    else "\t%d\t%d" % (self.refusals, self.first_refusal) if self.refusals else "")
        return "%s\t%s\t%d\t%s\t%d\t%d%s\n" % (self.status, _escape(self.key), self.attempts, _escape(self.server_id),
                                               self.order, self.not_before, refusals)

    @staticmethod
    def parse(line: str) -> "LedgerEntry":
        fields = line.split("\t")
        if len(fields) not in (6, 8, 9) or fields[0] not in STATUSES:
            raise ValueError("not a ledger line")
        key = _unescape(fields[1])
        attempts = int(fields[2])
        if not key or attempts < 0:
            raise ValueError("bad ledger entry")
        refusals = int(fields[6]) if len(fields) >= 8 else 0
        first_refusal = int(fields[7]) if len(fields) >= 8 else 0
        job_since = int(fields[8]) if len(fields) == 9 else 0
        return LedgerEntry(key, fields[0], attempts, _unescape(fields[3]), int(fields[4]), int(fields[5]),
                           refusals, first_refusal, job_since)


def asset_of(resource_key: str) -> str:
    hash_at = resource_key.rfind("#")
    return resource_key if hash_at < 0 else resource_key[:hash_at]


class Ledger:
    """The ledger, kept in the app group as ``ledger/snapshot.txt`` (written atomically) plus
    ``ledger/journal-<G>.txt`` (one append per batch). A kill leaves a prefix of the storage
    calls: killed before an append, the batch is redone next call; killed during compaction,
    the old journal is ignored (its lines are in the new snapshot) and deleted on load.
    """

    SNAPSHOT = "ledger/snapshot.txt"
    JOURNAL_PREFIX = "ledger/journal-"
    HEADER = "#upcert-python-ledger v1 generation "
    COMPACT_MIN_LINES = 1024

    def __init__(self):
        self.entries: Dict[str, LedgerEntry] = {}
        self._needing: Dict[str, LedgerEntry] = {}
        self.counts: Dict[str, int] = {status: 0 for status in STATUSES}
        self.generation = 1
        self.journal_lines = 0
        self.next_order = 0
        self.unreadable_lines = 0
        self.stale_journals_deleted = 0

    @staticmethod
    def journal_name(generation: int) -> str:
        return "%s%010d.txt" % (Ledger.JOURNAL_PREFIX, generation)

    @staticmethod
    def _generation_of(name: str) -> int:
        if not name.startswith(Ledger.JOURNAL_PREFIX) or not name.endswith(".txt"):
            return -1
        try:
            return int(name[len(Ledger.JOURNAL_PREFIX):-len(".txt")])
        except ValueError:
            return -1

    @staticmethod
    def load(storage: up.AppGroupStorage) -> "Ledger":
        ledger = Ledger()
        snapshot = storage.read_string(Ledger.SNAPSHOT)
        if snapshot is not None:
            header, _, body = snapshot.partition("\n")
            if not header.startswith(Ledger.HEADER):
                raise RuntimeError("unreadable ledger snapshot header: " + header)
            try:
                ledger.generation = int(header[len(Ledger.HEADER):].strip())
            except ValueError:
                raise RuntimeError("unreadable ledger snapshot header: " + header) from None
            ledger._replay(body)
        snapshot_generation = ledger.generation
        stale = []
        for name in storage.list(Ledger.JOURNAL_PREFIX):
            generation = Ledger._generation_of(name)
            if generation < 0:
                continue
            if generation < snapshot_generation:
                stale.append(name)
                continue
            text = storage.read_string(name)
            if text is not None:
                ledger.journal_lines += ledger._replay(text)
            ledger.generation = max(ledger.generation, generation)
        for name in stale:
            storage.delete(name)
            ledger.stale_journals_deleted += 1
        return ledger

    def record(self, updates: Iterable[LedgerEntry], storage: up.AppGroupStorage) -> int:
        """Makes the changed entries durable (one append), then applies them: memory never runs ahead."""
        changed = [u for u in updates if self.entries.get(u.key) != u]
        if not changed:
            return 0
        storage.append_string(self.journal_name(self.generation), "".join(u.to_line() for u in changed))
        for entry in changed:
            self._apply(entry)
        self.journal_lines += len(changed)
        return len(changed)

    def compact_if_due(self, storage: up.AppGroupStorage) -> bool:
        if self.journal_lines <= max(self.COMPACT_MIN_LINES, len(self.entries)):
            return False
        self.compact(storage)
        return True

    def compact(self, storage: up.AppGroupStorage) -> None:
        """Snapshot G+1 (atomic), then delete journal G: a kill between leaves a journal load ignores."""
        nxt = self.generation + 1
        lines = [self.HEADER, str(nxt), "\n"]
        for key in sorted(self.entries):
            lines.append(self.entries[key].to_line())
        storage.write_string(self.SNAPSHOT, "".join(lines))
        previous = self.generation
        self.generation = nxt
        self.journal_lines = 0
        storage.delete(self.journal_name(previous))

    def get(self, key: str) -> Optional[LedgerEntry]:
        return self.entries.get(key)

    def all(self) -> List[LedgerEntry]:
        return [self.entries[key] for key in sorted(self.entries)]

    def needing_upload(self) -> List[LedgerEntry]:
        """Resources to upload, oldest discovered first."""
        return sorted(self._needing.values(), key=lambda e: (e.order, e.key))

    def needing_upload_count(self) -> int:
        return len(self._needing)

    def with_job_in_flight(self) -> List[LedgerEntry]:
        return [entry for entry in self.all() if entry.job_in_flight]

    def entries_of_asset(self, asset: str) -> List[LedgerEntry]:
        prefix = asset + "#"
        return [self.entries[key] for key in sorted(k for k in self.entries if k.startswith(prefix))]

    def allocate_order(self) -> int:
        order = self.next_order
        self.next_order += 1
        return order

    def summary(self) -> str:
        return "ledger %d to upload, %d uploaded, %d abandoned, %d gone" % (
            self.counts[NEEDS_UPLOAD], self.counts[UPLOADED], self.counts[ABANDONED], self.counts[GONE])

    def _replay(self, text: str) -> int:
        read = 0
        for line in text.split("\n"):
            if not line or line.startswith("#"):
                continue
            try:
                entry = LedgerEntry.parse(line)
            except ValueError:
                # Appends are atomic, so not a torn write: skip a foreign or damaged line.
                self.unreadable_lines += 1
                continue
            self._apply(entry)
            read += 1
        return read

    def _apply(self, entry: LedgerEntry) -> None:
        previous = self.entries.get(entry.key)
        self.entries[entry.key] = entry
        if previous is not None:
            self.counts[previous.status] -= 1
            self._needing.pop(entry.key, None)
        self.counts[entry.status] += 1
        if entry.status == NEEDS_UPLOAD:
            self._needing[entry.key] = entry
        self.next_order = max(self.next_order, entry.order + 1)


# --- discovery: which resources exist ----------------------------------------------------------

TOKEN_FILE = "discovery/change-token.txt"


@dataclass
class DiscoveryResult:
    kind: str  # FIRST_SCAN, RESYNC, CHANGES, UNCHANGED, ABORTED, UNRELIABLE, NOTHING_FOUND
    assets: int = 0
    added: int = 0
    gone: int = 0

    @property
    def demands_processing(self) -> bool:
        return self.kind == "RESYNC"  # CHG-01

    @property
    def unread(self) -> bool:
        """The library was not read this call: nothing recorded, no token stored."""
        return self.kind in ("UNRELIABLE", "NOTHING_FOUND")

    def describe(self) -> Optional[str]:
        if self.kind == "UNRELIABLE":
            return "discovery: the photo library did not answer, nothing recorded; trying again next call"
        if self.kind == "NOTHING_FOUND":
            return ("discovery: a full scan found no asset (an empty library, or one that did not answer), "
                    "nothing recorded; scanning again next call")
        if self.kind == "CHANGES" and self.added + self.gone:
            return "discovery: %d changed assets, %d new resources, %d gone" % (self.assets, self.added, self.gone)
        if self.kind == "FIRST_SCAN":
            return "discovery: first scan, %d assets, %d resources to upload%s" % (
                self.assets, self.added, ", %d gone" % self.gone if self.gone else "")
        if self.kind == "RESYNC":
            return "discovery: change token expired, resynchronised %d assets: %d new resources, %d gone" % (
                self.assets, self.added, self.gone)
        if self.kind == "ABORTED":
            return "discovery: library access withdrawn during the scan, nothing recorded"
        return None


class Discovery:
    """Follows the library's persistent change history (CHG-01, CHG-02).

    No token: take ``current_change_token()`` *before* scanning, record every resource, store the
    token. A token: apply the changes since it (new resources recorded, resources of deleted
    assets that still needed an upload marked GONE), store the newest token after the ledger
    append (a kill in between replays the same changes; recording is idempotent). An expired
    token: drop it and rescan; the call answers PROCESSING. The library not answering (a scan
    with no asset, inserted assets fetched as nothing, any other error of the change history:
    PhotoKit "returns nothing at times" inside an extension, YAIIU #50) records nothing and
    stores no token: "not returned" is not "deleted".
    """

    def __init__(self):
        self.token: Optional[up.ChangeToken] = None
        self.token_loaded = False

    def rescan_next_call(self) -> None:
        """The next synchronise scans the whole library instead of reading the changes: asked for assets
        the ledger has to upload, the library returned none of them. The stored token stays until that
        scan stores a fresh one."""
        self.token = None
        self.token_loaded = True

    def synchronise(self, context: up.ExtensionContext, ledger: Ledger) -> DiscoveryResult:
        storage = context.storage
        library = context.library
        if not self.token_loaded:
            text = storage.read_string(TOKEN_FILE)
            text = text.strip() if text is not None else ""
            self.token = up.ChangeToken(text) if text else None
            self.token_loaded = True
        if self.token is None:
            return self._full_scan(context, ledger, "FIRST_SCAN")
        try:
            changes = library.fetch_persistent_changes(self.token)
        except up.PhotosError as e:
            if e.code in (up.PhotosErrorCode.PERSISTENT_CHANGE_TOKEN_EXPIRED,
                          up.PhotosErrorCode.PERSISTENT_CHANGE_DETAILS_UNAVAILABLE):
                self.token = None
                return self._full_scan(context, ledger, "RESYNC")
            return DiscoveryResult("UNRELIABLE")  # 3300, -1 in the field: read the history next call
        if not changes:
            return DiscoveryResult("UNCHANGED")
        present: Set[str] = set()
        deleted: Set[str] = set()
        for change in changes:  # the net effect, oldest first
            for asset in change.inserted_assets + change.updated_assets:
                present.add(asset)
                deleted.discard(asset)
            for asset in change.deleted_assets:
                deleted.add(asset)
                present.discard(asset)
        assets = library.fetch_assets(sorted(present)) if present else []
        if present and not assets:
            return DiscoveryResult("UNRELIABLE")  # nothing at all: the library did not answer; token kept
        updates: Dict[str, LedgerEntry] = {}
        added = 0
        for asset in assets:
            for resource in asset.resources:
                added += self._record_present(resource.key(), ledger, updates)
        gone = 0
        for asset_id in sorted(deleted):
            for entry in ledger.entries_of_asset(asset_id):
                if entry.status == NEEDS_UPLOAD:
                    updates[entry.key] = entry.with_status(GONE)
                    gone += 1
        ledger.record(sorted(updates.values(), key=lambda e: e.order), storage)
        newest = changes[-1].change_token
        storage.write_string(TOKEN_FILE, newest.encoded)
        self.token = newest
        return DiscoveryResult("CHANGES", len(present) + len(deleted), added, gone)

    def _full_scan(self, context: up.ExtensionContext, ledger: Ledger, kind: str) -> DiscoveryResult:
        library = context.library
        before = library.current_change_token()  # before the scan: CHG-02
        assets = library.fetch_assets()
        if library.authorization_status() != up.AuthorizationStatus.AUTHORIZED:
            # fetch_assets() is empty without full access: trusting it would mark everything gone.
            return DiscoveryResult("ABORTED", len(assets))
        if not assets:
            # An empty library and a library that did not answer look the same: no token stored.
            # After an expired token it is the library not answering: the extension knows it is not
            # up to date, so never COMPLETED (CHG-01), whatever its ledger says is left to upload
            # (as the Java sample: FAILURE, the library.flaky it met excuses it).
            return DiscoveryResult("UNRELIABLE" if kind == "RESYNC" else "NOTHING_FOUND")
        present: Set[str] = set()
        updates: Dict[str, LedgerEntry] = {}
        added = 0
        for asset in assets:  # oldest first: the order resources will be uploaded in
            for resource in asset.resources:
                present.add(resource.key())
                added += self._record_present(resource.key(), ledger, updates)
        gone = 0
        for entry in ledger.all():
            if entry.status == NEEDS_UPLOAD and entry.key not in present:
                updates[entry.key] = entry.with_status(GONE)
                gone += 1
        ledger.record(sorted(updates.values(), key=lambda e: e.order), context.storage)
        context.storage.write_string(TOKEN_FILE, before.encoded)
        self.token = before
        return DiscoveryResult(kind, len(assets), added, gone)

    @staticmethod
    def _record_present(key: str, ledger: Ledger, updates: Dict[str, LedgerEntry]) -> int:
        if key in updates:
            return 0
        known = ledger.get(key)
        if known is None:
            updates[key] = LedgerEntry.discovered(key, ledger.allocate_order())
            return 1
        if known.status == GONE:
            updates[key] = known.with_status(NEEDS_UPLOAD)
            return 1
        return 0


class HostAppUploads:
    """The resources the host app uploaded itself (``AppGroupStorage.HOST_APP_UPLOADS``: one resource
    key per line, appended by the app, never rewritten), folded into the ledger as uploaded, so no job
    is created for them and their jobs still in flight are cancelled. Read, never written; matched key
    by key (the app may take a RAW and leave its JPEG). How far the file was read is kept in memory
    only: a relaunched process reads it again, which changes nothing."""

    def __init__(self):
        self.lines_read = 0

    def fold(self, storage: up.AppGroupStorage, ledger: Ledger, old_server_lines: int = 0) -> int:
        """``old_server_lines``: the first lines name what the app uploaded to a server the account
        has left (ServerChange): skipped."""
        text = storage.read_string(up.AppGroupStorage.HOST_APP_UPLOADS)
        if text is None:
            return 0
        lines = [line for line in text.split("\n") if line != ""]
        if len(lines) <= self.lines_read:
            return 0
        updates = []
        for line in lines[max(self.lines_read, old_server_lines):]:
            key = line.strip()
            asset, _, kind = key.rpartition("#")
            if not asset or not kind:
                continue  # not a resource key
            known = ledger.get(key)
            if known is None:
                updates.append(LedgerEntry.discovered(key, ledger.allocate_order()).uploaded(""))
            elif known.status == NEEDS_UPLOAD:
                updates.append(known.uploaded(""))
        changed = ledger.record(updates, storage)  # durable first; memory follows
        self.lines_read = len(lines)
        return changed


class ServerChange:
    """The host app moved the account to another server (``AppGroupStorage.HOST_APP_SERVER``,
    ``host/server``: ``generation``, the new ``uploadBase`` and ``apiBase``, ``hostUploadedLines``).
    The new server holds nothing of ours: every ledger entry not gone is to upload again (no
    attempt, refusal or server id of the old server's), the stored tokens were the old server's, and
    the first ``hostUploadedLines`` lines of ``host/uploaded`` name the host app's uploads to the old
    server. Followed at the start of every call, before anything reads the ledger; the ledger is
    reset durably before this extension's own record of the change (``server/followed.txt``), so a
    kill in between only resets again. The Java sample's ServerChange."""

    FOLLOWED = "server/followed.txt"

    def __init__(self):
        self.generation = -1
        self.host_uploads_before = 0

    @staticmethod
    def _field(text: Optional[str], name: str) -> int:
        for line in (text or "").split("\n"):
            if line.startswith(name + "="):
                try:
                    return int(line[len(name) + 1:].strip())
                except ValueError:
                    return 0
        return 0

    def follow(self, context: up.ExtensionContext, ledger: Ledger) -> bool:
        storage = context.storage
        server = storage.read_string(up.AppGroupStorage.HOST_APP_SERVER)
        named = self._field(server, "generation")
        if named == 0:
            self.generation = 0  # the account never moved
            return False
        if self.generation < 0:
            followed = storage.read_string(self.FOLLOWED)
            self.generation = self._field(followed, "generation")
            self.host_uploads_before = self._field(followed, "hostUploadedLines")
        if named <= self.generation:
            return False
        reset = [replace(entry, status=NEEDS_UPLOAD, attempts=0, server_id="", not_before=0, refusals=0,
                         first_refusal=0)
                 for entry in ledger.all() if entry.status != GONE]
        changed = ledger.record(reset, storage)
        for name in storage.list("cloud/"):
            storage.delete(name)  # the old server's tokens and sessions
        lines = self._field(server, "hostUploadedLines")
        storage.write_string(self.FOLLOWED, "generation=%d\nhostUploadedLines=%d\n" % (named, lines))
        self.generation = named
        self.host_uploads_before = lines
        context.log.info("the host app moved the account to another server (%s generation %d, uploads to %s): "
                         "%d ledger entries to upload again there"
                         % (up.AppGroupStorage.HOST_APP_SERVER, named, context.upload_url_base, changed))
        return True

    @property
    def changed_ever(self) -> bool:
        return self.generation > 0

    @staticmethod
    def under(url: str, base: str) -> bool:
        """Whether ``url`` lies under ``base`` as the system judges it: scheme, host and port equal,
        path under the base's path."""
        d = urllib.parse.urlsplit(url)
        b = urllib.parse.urlsplit(base)
        return (d.scheme.lower() == b.scheme.lower() and (d.hostname or "") == (b.hostname or "")
                and d.port == b.port and (d.path or "/").startswith(b.path or "/"))


# --- the cloud: generic-put ------------------------------------------------------------------

class CloudUnavailable(Exception):
    """No destination can be had now (temporary) or until the settings change (permanent)."""

    def __init__(self, message: str, permanent: bool):
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class AccessToken:
    value: str
    issued_at: int   # simulated ms
    expires_at: int  # simulated ms

    REFRESH_MARGIN_MS = 10 * MINUTE
    DEFAULT_LIFETIME_MS = 60 * MINUTE

    def usable_at(self, now_ms: int) -> bool:
        """Not within the refresh margin of its expiry (the margin is at most half its life)."""
        margin = min((self.expires_at - self.issued_at) // 2, self.REFRESH_MARGIN_MS)
        return now_ms < self.expires_at - margin

    @property
    def authorization(self) -> str:
        return "Bearer " + self.value

    def to_storage_line(self) -> str:
        return "v1\t%d\t%d\t%s\n" % (self.issued_at, self.expires_at, self.value)

    @staticmethod
    def usable_value(value: str) -> bool:
        return bool(value) and all(0x21 <= ord(c) <= 0x7E for c in value)

    @staticmethod
    def from_storage_line(line: str) -> Optional["AccessToken"]:
        parts = line.strip().split("\t")
        if len(parts) != 4 or parts[0] != "v1" or not AccessToken.usable_value(parts[3]):
            return None
        try:
            issued, expires = int(parts[1]), int(parts[2])
        except ValueError:
            return None
        return AccessToken(parts[3], issued, expires) if expires > issued else None

    @staticmethod
    def from_token_response(body: str, now_ms: int) -> "AccessToken":
        fields = json.loads(body)
        if not isinstance(fields, dict):
            raise ValueError("not a JSON object")
        value = fields.get("access_token")
        if not isinstance(value, str) or not AccessToken.usable_value(value):
            raise ValueError("no usable access_token in token response")
        kind = fields.get("token_type")
        if kind is not None and str(kind).lower() != "bearer":
            raise ValueError("token_type is %s, not Bearer" % kind)
        lifetime = AccessToken.DEFAULT_LIFETIME_MS
        expires_in = fields.get("expires_in")
        if expires_in is not None:
            seconds = int(float(expires_in))
            if seconds <= 0:
                raise ValueError("expires_in is not positive")
            lifetime = seconds * SECOND
        return AccessToken(value, now_ms, now_ms + lifetime)

    def __repr__(self) -> str:  # never log a credential
        return "AccessToken(expires_at=%d)" % self.expires_at


def with_slash(text: str) -> str:
    return text if text.endswith("/") else text + "/"


class BearerTokens:
    """OAuth client-credentials sign-in and the cached bearer token (memory and app group)."""

    def __init__(self, client_id: str, client_secret: str, token_url: Optional[str], storage_file: str):
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_url = token_url
        self.storage_file = storage_file
        self.token: Optional[AccessToken] = None
        self.loaded = False
        self.rejected_value = ""

    def valid(self, context: up.ExtensionContext) -> AccessToken:
        cached = self.cached(context)
        if cached is not None and cached.usable_at(context.clock.millis()):
            return cached
        return self._sign_in(context)

    def cached(self, context: up.ExtensionContext) -> Optional[AccessToken]:
        """The token in memory, loaded from storage once per process."""
        if not self.loaded:
            line = context.storage.read_string(self.storage_file)
            stored = AccessToken.from_storage_line(line) if line is not None else None
            self.token = stored if stored is not None and stored.value != self.rejected_value else None
            self.loaded = True
        return self.token

    def rejected(self, authorization: Optional[str]) -> None:
        """The server refused this ``Bearer …`` value: forget it."""
        if not authorization or not authorization.startswith("Bearer "):
            return
        value = authorization[len("Bearer "):].strip()
        self.rejected_value = value
        if self.token is not None and self.token.value == value:
            self.token = None

    def _sign_in(self, context: up.ExtensionContext) -> AccessToken:
        form = "grant_type=client_credentials&client_id=%s&client_secret=%s" % (
            urllib.parse.quote_plus(self.client_id), urllib.parse.quote_plus(self.client_secret))
        url = self.token_url or with_slash(context.upload_url_base) + "auth/token"
        requested_at = context.clock.millis()
        request = up.UploadRequest.post(url).with_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            response = context.http.send(request, form)
        except up.TransportError as e:
            raise CloudUnavailable("sign-in got no response: %s" % e.error, False) from None
        if response.is_successful:
            try:
                fresh = AccessToken.from_token_response(response.body_text(), requested_at)
            except (ValueError, TypeError) as e:
                raise CloudUnavailable("sign-in answer unreadable: %s" % e, False) from None
            context.storage.write_string(self.storage_file, fresh.to_storage_line())
            self.token = fresh
            self.loaded = True
            return fresh
        if response.status in (400, 401, 403):
            raise CloudUnavailable("sign-in refused with HTTP %d: check cloud.clientId and cloud.clientSecret"
                                   % response.status, True)
        raise CloudUnavailable("sign-in failed with HTTP %d" % response.status, False)


RESOURCE_KEY_HEADER = "X-Resource-Key"

CONTENT_TYPES = {
    "public.heic": "image/heic", "public.heif": "image/heif", "public.jpeg": "image/jpeg", "public.png": "image/png",
    "com.adobe.raw-image": "image/x-adobe-dng", "com.apple.quicktime-movie": "video/quicktime",
    "public.mpeg-4": "video/mp4",
}


def encode_segment(text: str) -> str:
    """One URL path segment, percent-encoded (everything but A-Z a-z 0-9 - . _ ~; ``/`` too)."""
    return urllib.parse.quote(text, safe="")


class GenericPut:
    """The generic-put cloud: ``PUT <base>files/<asset>/<TYPE>/<filename>`` with a bearer token.

    The object path is a function of the resource alone, so uploading it twice overwrites one
    object. Every destination also carries ``X-Resource-Key``: the destination is the one field
    of a job present in every state, so a job is recognised even with no ``resource``.
    """

    name = "generic-put"
    TOKEN_FILE = "cloud/generic-put/access-token.txt"

    def __init__(self, client_id: str, client_secret: str, token_url: Optional[str]):
        self.tokens = BearerTokens(client_id, client_secret, token_url, self.TOKEN_FILE)

    @staticmethod
    def file_url(base: str, resource: up.AssetResource) -> str:
        return "%sfiles/%s/%s/%s" % (with_slash(base), encode_segment(resource.asset_local_identifier),
                                     resource.type.name, encode_segment(resource.original_filename))

    def destination_for(self, resource: up.AssetResource, context: up.ExtensionContext) -> up.UploadRequest:
        token = self.tokens.valid(context)
        return (up.UploadRequest.put(self.file_url(context.upload_url_base, resource))
                .with_header("Authorization", token.authorization)
                .with_header("Content-Type", CONTENT_TYPES.get(resource.uniform_type_identifier,
                                                               "application/octet-stream"))
                .with_header(RESOURCE_KEY_HEADER, resource.key()))

    def destination_for_retry(self, original: up.UploadRequest,
                              context: up.ExtensionContext) -> Optional[up.UploadRequest]:
        """None (reuse the original) unless its token was replaced since: then the new one."""
        cached = self.tokens.cached(context)
        if (cached is None or not cached.usable_at(context.clock.millis())
                or original.header("Authorization") == cached.authorization):
            return None
        return original.with_header("Authorization", cached.authorization)

    def fresh_destination(self, failed: up.UploadRequest, context: up.ExtensionContext) -> up.UploadRequest:
        return failed.with_header("Authorization", self.tokens.valid(context).authorization)

    def credentials_rejected(self, destination: up.UploadRequest) -> None:
        self.tokens.rejected(destination.header("Authorization"))

    def resource_key_from_url(self, url: str, base: str) -> Optional[str]:
        prefix = with_slash(urllib.parse.urlsplit(base).path) + "files/"
        path = urllib.parse.urlsplit(url).path
        if not path.startswith(prefix):
            return None
        segments = path[len(prefix):].split("/")
        if len(segments) != 3:
            return None
        try:
            asset = urllib.parse.unquote(segments[0], errors="strict")
            kind = up.ResourceType[segments[1]]
        except (KeyError, UnicodeDecodeError):
            return None
        return "%s#%s" % (asset, kind.name) if asset else None

    @staticmethod
    def server_id(job: up.UploadJob) -> str:
        """The server's id from a succeeded job's headers, by their lowercase names (CLD-01)."""
        headers = job.response_header_fields
        if headers is None:
            return ""
        object_id = headers.get("x-object-id")
        if object_id is not None and object_id.strip():
            return object_id.strip()
        etag = headers.get("etag")
        return etag.strip() if etag is not None else ""


class Unconfigured:
    """A configuration problem, held until a destination is needed: every destination refused."""

    name = "unconfigured"

    def __init__(self, problem: str):
        self.problem = problem

    def destination_for(self, resource, context):
        raise CloudUnavailable(self.problem, True)

    def destination_for_retry(self, original, context):
        return None

    def fresh_destination(self, failed, context):
        raise CloudUnavailable(self.problem, True)

    def credentials_rejected(self, destination):
        pass

    def resource_key_from_url(self, url, base):
        return None

    @staticmethod
    def server_id(job):
        return ""


def cloud_from(configuration) -> object:
    dialect = configuration.get("cloud.dialect", "")
    if dialect != GenericPut.name:
        return Unconfigured("no cloud.dialect configured" if not dialect
                            else "unknown cloud.dialect '%s' (this extension speaks generic-put)" % dialect)
    client_id = configuration.get("cloud.clientId", "")
    client_secret = configuration.get("cloud.clientSecret", "")
    if not client_id or not client_secret:
        return Unconfigured("cloud.clientId and cloud.clientSecret are required for generic-put")
    token_url = (configuration.get("cloud.tokenUrl") or "").strip() or None
    if token_url is not None and "://" not in token_url:
        return Unconfigured("cloud.tokenUrl is not absolute: " + token_url)
    return GenericPut(client_id, client_secret, token_url)


# --- which resource a job belongs to ----------------------------------------------------------

class OsLevel:
    """What the device's iOS offers, checked once per call as ``#available`` would: a selector a
    level lacks does not exist there (upcert refuses it with ``UnavailableError``).
    26.4: cancel, placeholders, a job's type/response_header_fields/error; 26.5: the PROCESS set;
    27: asset_resource. Before 26.4 nothing says why a job failed; before 26.5 the ledger
    remembers the jobs in flight (``LedgerEntry.job_since``)."""

    def __init__(self, context: up.ExtensionContext):
        self.outcome_fields = context.os_at_least("26.4")
        self.process_set = context.os_at_least("26.5")
        self.asset_resource = context.os_at_least("27")

    def view(self, job: up.UploadJob) -> up.UploadJob:
        """``job`` as this level lets the extension read it: before 26.4 an upload with neither
        error nor headers (the members do not exist), so code that reads them is safe."""
        if self.outcome_fields:
            return job
        return up.UploadJob(job.local_identifier, job.state, up.JobType.UPLOAD, job.resource, job.destination, None, None)


class JobIdentity:
    """``job.resource``; else the ``X-Resource-Key`` header of its destination; else
    ``library.asset_resource(job)`` (iOS 27); else its URL (CLD-02). Cached per job for one call.
    The destination comes before ``asset_resource``: on iOS 27 that call aborts the process for a
    job created under 26.x, before an OS upgrade (YAIIU #80), and this extension stamps every
    destination it makes."""

    def __init__(self, library: up.PhotoLibrary, cloud, upload_url_base: str, asset_resource_available: bool = True):
        self.library = library
        self.cloud = cloud
        self.upload_url_base = upload_url_base
        self.asset_resource_available = asset_resource_available
        self.cache: Dict[str, Optional[str]] = {}
        self.server_changed = False  # whether the account ever moved to another server (ServerChange)

    def on_former_server(self, job: up.UploadJob) -> bool:
        """Whether ``job`` went to a server the account has left: its destination is not under
        ``upload_url_base`` any more. Never true for an extension whose account never moved."""
        return self.server_changed and not ServerChange.under(job.destination.url, self.upload_url_base)

    def key_of(self, job: up.UploadJob) -> Optional[str]:
        if job.local_identifier not in self.cache:
            self.cache[job.local_identifier] = self._look_up(job)
        return self.cache[job.local_identifier]

    def _look_up(self, job: up.UploadJob) -> Optional[str]:
        if job.resource is not None:
            return job.resource.key()
        header = job.destination.header(RESOURCE_KEY_HEADER)
        if header is not None and header.strip():
            return header
        # #available(iOS 27, *): before, the selector does not exist. Only for a destination that
        # does not say (its headers replaced): it aborts for jobs created before an OS upgrade.
        resource = self.library.asset_resource(job) if self.asset_resource_available else None
        if resource is not None:
            return resource.key()
        return self.cloud.resource_key_from_url(job.destination.url, self.upload_url_base)


# --- change blocks ---------------------------------------------------------------------------

@dataclass
class BlockResult:
    applied: list
    refused: list
    stopped_by: Optional[up.PhotosError] = None
    interrupted: bool = False

    @property
    def limit_exceeded(self) -> bool:
        return self.stopped_by is not None and self.stopped_by.code == up.PhotosErrorCode.LIMIT_EXCEEDED


def _stops_everything(error: up.PhotosError) -> bool:
    return error.code in (up.PhotosErrorCode.LIMIT_EXCEEDED, up.PhotosErrorCode.ACCESS_USER_DENIED)


def apply_in_blocks(library: up.PhotoLibrary, items: Sequence[T], size: int,
                    change: Callable[[up.JobChanges, T], object], cancelled: threading.Event,
                    committed: Optional[Callable[[List[T]], None]] = None) -> BlockResult:
    """Applies ``change`` to every item, ``size`` per block (JOB-01). The flag is polled before
    every block (TRM-01). A block rejected for one item's sake is redone one item per block;
    LIMIT_EXCEEDED and ACCESS_USER_DENIED stop everything at once, never spinning (CAP-01, CNS-01).
    ``committed``, if given, hears the items of each block right after it commits, before the next
    block (what must be remembered before a kill can come)."""
    applied: list = []
    refused: list = []

    def took(done: list) -> None:
        applied.extend(done)
        if committed is not None and done:
            committed(done)

    for block in batches(items, size):
        if cancelled.is_set():
            return BlockResult(applied, refused, None, True)
        dropped: Set[int] = set()
        rejection = _commit(library, block, change, dropped)
        if rejection is None:
            refused.extend(item for i, item in enumerate(block) if i in dropped)
            took([item for i, item in enumerate(block) if i not in dropped])
            continue
        if _stops_everything(rejection):
            return BlockResult(applied, refused, rejection)
        if len(block) == 1:
            refused.extend(block)
            continue
        for item in block:
            if cancelled.is_set():
                return BlockResult(applied, refused, None, True)
            dropped_single: Set[int] = set()
            single = _commit(library, [item], change, dropped_single)
            if single is None:
                if dropped_single:
                    refused.append(item)
                else:
                    took([item])
            elif _stops_everything(single):
                return BlockResult(applied, refused, single)
            else:
                refused.append(item)
    return BlockResult(applied, refused)


class _Owned:
    """Records which item each change of a block belongs to (to map dropped changes back)."""

    def __init__(self, changes: up.JobChanges, owners: List[int], item: int):
        self._changes, self._owners, self._item = changes, owners, item

    def create_job(self, resource, destination):
        self._owners.append(self._item)
        return self._changes.create_job(resource, destination)

    def acknowledge(self, job):
        self._owners.append(self._item)
        self._changes.acknowledge(job)

    def retry(self, job, new_destination=None):
        self._owners.append(self._item)
        self._changes.retry(job, new_destination)

    def cancel(self, job):
        self._owners.append(self._item)
        self._changes.cancel(job)


def _commit(library: up.PhotoLibrary, block: Sequence[T],
            change: Callable[[up.JobChanges, T], object], dropped: Set[int]) -> Optional[up.PhotosError]:
    """Commits one block; a change the system dropped (its job could no longer take it) puts its
    item's position into ``dropped``: that item counts as refused, the rest as applied."""
    owners: List[int] = []
    try:
        change_block = library.perform_changes()
        with change_block as changes:
            for i, item in enumerate(block):
                change(_Owned(changes, owners, i), item)
        if change_block.outcome is not None:
            for drop in change_block.outcome.dropped:
                if drop.index < len(owners):
                    dropped.add(owners[drop.index])
        return None
    except up.PhotosError as e:
        return e


# --- the three job steps ---------------------------------------------------------------------

@dataclass
class RetryOutcome:
    offered: Set[str]
    retried: Set[str]
    fresh: int = 0
    deferred: int = 0
    cloud_problem: Optional[CloudUnavailable] = None
    limit_exceeded: bool = False
    interrupted: bool = False

    def describe(self) -> str:
        return "%d of %d (%d with a fresh destination%s)" % (
            len(self.retried), len(self.offered), self.fresh,
            ", %d deferred by Retry-After" % self.deferred if self.deferred else "")


def retried_in_place(entry: Optional[LedgerEntry]) -> bool:
    """Whether a job failed without a word (iOS 26.1) is retried as is: not once the ledger counts
    UNEXPLAINED_RETRIES_IN_PLACE failed jobs behind its resource (spaced new jobs then)."""
    return entry is None or entry.attempts < UNEXPLAINED_RETRIES_IN_PLACE


def counts_toward_giving_up(job: up.UploadJob, kind: str) -> bool:
    """A refusal, or (iOS 26.1) a failure with neither error nor headers: a refusal cannot be told
    from a dropped connection there, so every such failure counts toward giving up (else a resource
    the server never takes would be tried for ever: RTY-02, explore:281)."""
    return kind == REFUSED or (job.error is None and job.response_header_fields is None)


def retry_step(context: up.ExtensionContext, ledger: Ledger, cloud, identity: JobIdentity,
               cancelled: threading.Event) -> RetryOutcome:
    """The RETRY set: one retry per job (JOB-03), so the decision here is final for the job."""
    failed = context.library.fetch_jobs(up.JobAction.RETRY)
    offered: Set[str] = set()
    plan: List[Tuple[up.UploadJob, Optional[up.UploadRequest]]] = []
    deferred = 0
    cloud_problem: Optional[CloudUnavailable] = None
    now = context.clock.millis()
    os_level = OsLevel(context)
    for fetched in failed:
        if cancelled.is_set():
            # willTerminate: no sign-in and no new destination once told to stop (TRM-01; the sample's
            # Retrier since 1811a10, explore:1574); the round stops after this step
            break
        offered.add(fetched.local_identifier)
        job = os_level.view(fetched)  # before iOS 26.4: no type, error or headers to read
        if job.state != up.JobState.FAILED or job.type != up.JobType.UPLOAD:
            continue  # download-only jobs are the host app's business: acknowledged below
        if identity.on_former_server(fetched):
            continue  # sent to a server the account has left: acknowledged, a new job goes to the new one
        key = identity.key_of(job)
        entry = ledger.get(key) if key is not None else None
        if entry is not None and entry.status != NEEDS_UPLOAD:
            continue  # uploaded, abandoned or gone: a retry would only spend bytes
        kind = classify(job, cloud)
        if kind == TRANSIENT:
            if retry_after_ms(job.response_header_fields, now) is not None:
                deferred += 1  # RTY-04: the acknowledge step schedules a new job after it
                continue
            if job.error is None and job.response_header_fields is None:
                if not retried_in_place(entry):
                    continue  # iOS 26.1 says nothing: after a few, spaced new jobs rather than resending at once
                # Nothing says why (iOS 26.1): the destination may have expired (RTY-03), and
                # resending it as is would meet the same refusal. Renewing it costs nothing more.
                if cloud_problem is not None:
                    continue  # one failed sign-in per call is enough: a new job later
                try:
                    plan.append((job, cloud.fresh_destination(job.destination, context)))
                except CloudUnavailable as e:
                    cloud_problem = e  # not retried: a new job later (RTY-01)
                continue
            plan.append((job, cloud.destination_for_retry(job.destination, context)))
        elif kind == REAUTHENTICATE:
            if cloud_problem is not None:
                continue  # one failed sign-in per call is enough
            if kind == REAUTHENTICATE:
                cloud.credentials_rejected(job.destination)
            try:
                plan.append((job, cloud.fresh_destination(job.destination, context)))
            except CloudUnavailable as e:
                cloud_problem = e  # not retried: a new job later (RTY-01)
        # REFUSED, PERMANENT, STORED_DESPITE_FAILURE: not retried (a refused request is never resent
        # as is, RTY-02); the acknowledge step records it and a refused resource gets a new job later
    if not plan:
        return RetryOutcome(offered, set(), 0, deferred, cloud_problem, interrupted=cancelled.is_set())
    result = apply_in_blocks(context.library, plan, CHANGE_BLOCK,
                             lambda changes, planned: changes.retry(planned[0], planned[1]), cancelled)
    retried = {planned[0].local_identifier for planned in result.applied}
    fresh = sum(1 for planned in result.applied if planned[1] is not None)
    if not os_level.process_set:  # no PROCESS set before iOS 26.5: the ledger remembers the retried jobs
        committed = context.clock.millis()
        in_flight = []
        for planned in result.applied:
            key = identity.key_of(planned[0])
            entry = ledger.get(key) if key is not None else None
            if entry is not None:
                in_flight.append(entry.with_job_since(committed))
        if in_flight:
            ledger.record(in_flight, context.storage)
    if result.refused or result.stopped_by is not None:
        context.log.warn("retrying %d jobs was refused%s; they are acknowledged instead"
                         % (len(plan) - len(retried), ": %s" % result.stopped_by if result.stopped_by else ""))
    return RetryOutcome(offered, retried, fresh, deferred, cloud_problem, result.limit_exceeded, result.interrupted)


@dataclass
class AckSummary:
    acknowledged: Set[str]
    refused: Set[str]
    uploaded: int = 0
    again: int = 0
    abandoned: int = 0
    download_only: int = 0
    unidentified: int = 0
    interrupted: bool = False

    @staticmethod
    def none() -> "AckSummary":
        return AckSummary(set(), set())

    def plus(self, other: "AckSummary") -> "AckSummary":
        return AckSummary(self.acknowledged | other.acknowledged, self.refused | other.refused,
                          self.uploaded + other.uploaded, self.again + other.again, self.abandoned + other.abandoned,
                          self.download_only + other.download_only, self.unidentified + other.unidentified,
                          self.interrupted or other.interrupted)

    def describe(self) -> str:
        text = "%d (%d uploaded, %d to upload again, %d abandoned" % (
            len(self.acknowledged), self.uploaded, self.again, self.abandoned)
        if self.download_only:
            text += ", %d download-only" % self.download_only
        if self.unidentified:
            text += ", %d unidentified" % self.unidentified
        if self.refused:
            text += ", %d refused" % len(self.refused)
        return text + ")"


QUEUE_WINDOW_FILE = "queue-window"


class QueueWindow:
    """How many unacknowledged jobs to keep, at most, below the system's job limit: a queue no
    longer than the uplink carries within a credential's life (the Java sample's QueueWindow).

    A destination carries a bearer token that lives an hour, and the server checks it when the
    system starts the request. On a slow uplink a full queue of videos outlives its tokens: the jobs
    at its tail fail with USER_AUTHENTICATION_REQUIRED, are retried with fresh tokens, wait behind
    the same queue and fail again, for ever. A job refused for its credentials even after the retry
    that renewed them halves the window (once per call); every upload that succeeds widens it by
    one, up to the job limit. Kept in the app group as one number, read once per process."""

    def __init__(self):
        self.loaded = False
        self.window: Optional[int] = None  # None: the whole job limit

    def limit(self, storage: up.AppGroupStorage, job_limit: int) -> int:
        self._load(storage)
        return job_limit if self.window is None else min(job_limit, self.window)

    def update(self, storage: up.AppGroupStorage, job_limits: Callable[[], int], credentials_outlived: bool,
               succeeded: int) -> None:
        if not credentials_outlived and (succeeded == 0 or not self._narrowed(storage)):
            return  # nothing happened, or never narrowed: nothing to widen
        self._load(storage)
        job_limit = job_limits()  # asked only here: most steps change nothing
        before = self.window
        nxt = job_limit if before is None else min(job_limit, before)
        if credentials_outlived:
            nxt = max(1, nxt // 2)
        nxt = min(job_limit, nxt + succeeded)
        after = None if nxt >= job_limit else nxt
        if before == after:
            return
        if after is None:
            storage.delete(QUEUE_WINDOW_FILE)  # back to the whole limit
        else:
            storage.write_string(QUEUE_WINDOW_FILE, str(after))
        self.window = after

    def _narrowed(self, storage: up.AppGroupStorage) -> bool:
        self._load(storage)
        return self.window is not None

    def _load(self, storage: up.AppGroupStorage) -> None:
        if self.loaded:
            return
        text = storage.read_string(QUEUE_WINDOW_FILE)
        value: Optional[int] = None
        if text is not None:
            try:
                number = int(text.strip())
                value = number if number >= 1 else None
            except ValueError:
                value = None  # torn by a kill: as if never narrowed
        self.window = value
        self.loaded = True


class Acknowledger:
    """Stores what finished jobs mean (one ledger append), then acknowledges every one of them
    (ACK-03, ACK-02): unidentified and download-only jobs too (CLD-02)."""

    def __init__(self, context: up.ExtensionContext, ledger: Ledger, cloud, identity: JobIdentity,
                 cancelled: threading.Event, window: Optional[QueueWindow] = None):
        self.context = context
        self.window = window if window is not None else QueueWindow()
        self.ledger = ledger
        self.cloud = cloud
        self.identity = identity
        self.cancelled = cancelled
        self.os = OsLevel(context)

    def acknowledge(self, jobs: List[up.UploadJob], retry_unspent: Callable[[up.UploadJob], bool]) -> AckSummary:
        if not jobs:
            return AckSummary.none()
        now = self.context.clock.millis()
        staged: Dict[str, LedgerEntry] = {}
        counts = {"uploaded": 0, "again": 0, "abandoned": 0, "download_only": 0, "unidentified": 0}
        abandoned_keys: List[str] = []
        succeeded = 0
        credentials_outlived = False
        for job in jobs:
            if self.os.view(job).type == up.JobType.DOWNLOAD_ONLY:
                counts["download_only"] += 1  # fetched from iCloud only: not an upload
                continue
            seen = self.os.view(job)
            if self.identity.on_former_server(job):
                # host.server: the old server's outcome counts for nothing; a new job goes to the new one
                key = self.identity.key_of(job)
                current = None if key is None else (staged[key] if key in staged else self.ledger.get(key))
                if current is not None and current.job_in_flight:
                    staged[key] = current.without_job()
                counts["again"] += 1
                continue
            if seen.state == up.JobState.SUCCEEDED:
                succeeded += 1
            elif (seen.state == up.JobState.FAILED and not retry_unspent(job)
                  and classify(seen, self.cloud) == REAUTHENTICATE):
                credentials_outlived = True  # refused its credentials even after the retry renewed them
            key = self.identity.key_of(job)
            if key is None:
                counts["unidentified"] += 1
                continue
            current = staged[key] if key in staged else self.ledger.get(key)
            nxt = self._outcome(job, key, current, now, retry_unspent(job))
            if nxt is None and current is not None and current.job_in_flight:
                nxt = current.without_job()  # its job finished: no longer in flight (before iOS 26.5)
            if nxt is None or nxt == current:
                continue
            staged[key] = nxt
            if nxt.status == UPLOADED:
                counts["uploaded"] += 1
            elif nxt.status == NEEDS_UPLOAD:
                counts["again"] += 1
            elif nxt.status == ABANDONED:
                counts["abandoned"] += 1
                error = self.os.view(job).error
                abandoned_keys.append("%s (%s)" % (key, error if error is not None else "no error"))
        self.ledger.record(list(staged.values()), self.context.storage)  # ACK-03: durable first
        self.window.update(self.context.storage, self.context.library.job_limit, credentials_outlived, succeeded)
        if abandoned_keys:
            self.context.log.warn("abandoned %d resources: %s%s" % (
                len(abandoned_keys), "; ".join(abandoned_keys[:5]), "; …" if len(abandoned_keys) > 5 else ""))
        if counts["unidentified"]:
            self.context.log.warn("%d finished jobs name no resource (no resource, no asset, no %s); "
                                  "acknowledged without a ledger entry" % (counts["unidentified"], RESOURCE_KEY_HEADER))
        result = self.commit_acknowledgements(jobs)
        acknowledged = {job.local_identifier for job in result.applied}
        refused = {job.local_identifier for job in result.refused}
        if refused:
            self.context.log.warn("acknowledging %d jobs was refused (finished or removed meanwhile?): %s"
                                  % (len(refused), ", ".join(sorted(refused))))
        return AckSummary(acknowledged, refused, counts["uploaded"], counts["again"], counts["abandoned"],
                          counts["download_only"], counts["unidentified"], result.interrupted)

    def commit_acknowledgements(self, jobs: List[up.UploadJob]) -> BlockResult:
        """Acknowledges ``jobs``, CHANGE_BLOCK per block."""
        return apply_in_blocks(self.context.library, jobs, CHANGE_BLOCK,
                               lambda changes, job: changes.acknowledge(job), self.cancelled)

    def _outcome(self, fetched: up.UploadJob, key: str, current: Optional[LedgerEntry], now: int,
                 retry_unspent: bool) -> Optional[LedgerEntry]:
        job = self.os.view(fetched)  # before iOS 26.4: no type, error or headers to read
        if job.state == up.JobState.SUCCEEDED:
            return self._stored(job, key, current)
        if job.state != up.JobState.FAILED:
            return None
        kind = classify(job, self.cloud)
        if kind == STORED_DESPITE_FAILURE:
            return self._stored(job, key, current)
        if current is None or current.status != NEEDS_UPLOAD:
            # Unknown to the ledger (never re-upload it on our own), or settled already.
            return None
        if kind == PERMANENT:
            return current.abandoned()
        # RTY-01: a new job later, after backoff or the server's Retry-After (RTY-04); a
        # network-level failure is never a reason to give up.
        attempts = current.attempts + 1
        next_at = next_attempt_at(now, attempts, retry_after_ms(job.response_header_fields, now))
        if not counts_toward_giving_up(job, kind):
            return current.failed_again(next_at)
        refused = current.refused_again(now, next_at)
        if gives_up(refused.refusals, refused.first_refusal, current.not_before):
            return refused.with_status(ABANDONED)  # refused for half an hour and more: as permanent as we can know
        return refused

    def _stored(self, job: up.UploadJob, key: str, current: Optional[LedgerEntry]) -> LedgerEntry:
        base = current if current is not None else LedgerEntry.discovered(key, self.ledger.allocate_order())
        return base.uploaded(self.cloud.server_id(job))


@dataclass
class CreateOutcome:
    created: int
    cancelled_jobs: int
    late_acks: AckSummary
    unacknowledged: int
    job_limit: int
    limit_exceeded: bool
    cloud_problem: Optional[CloudUnavailable]
    interrupted: bool
    # Asked the library for the candidates' assets and was given none at all: the library not answering,
    # or every candidate's asset deleted. Discovery marks gone only what still needed an upload, so an asset
    # deleted after its upload stays uploaded in the ledger until a move of the account to another server
    # puts it back to upload; the oldest candidates can then all be deleted ones, asked for call after call
    # (RES-03, E2E-01 on styles-corpus/sample-RES-03-deleted-then-moved.yaml, as the Java sample before
    # 0d6e083). The round has discovery rescan the library next call, which tells the two apart.
    no_candidate_found: bool = False


def create_step(context: up.ExtensionContext, ledger: Ledger, cloud, identity: JobIdentity, acknowledger: Acknowledger,
                cancelled: threading.Event, handled: Set[str],
                known_problem: Optional[CloudUnavailable]) -> CreateOutcome:
    """Fills free capacity with jobs for resources that need an upload, oldest first.

    Which resources have a job is read from the system (PROCESS + ACKNOWLEDGE), never
    remembered: a kill between a commit and a ledger line would otherwise make duplicates
    (DUP-01, TRM-03). Jobs that finished since the acknowledge step are acknowledged first;
    in-flight jobs no longer wanted (asset gone, already uploaded, a second job) are cancelled.
    """
    library = context.library
    os_level = OsLevel(context)
    job_limit = library.job_limit()
    # PROCESS before ACKNOWLEDGE: a job finishing between the fetches shows in both, not neither.
    # Before iOS 26.5 there is no PROCESS set: the ledger's marks say which resources have a job.
    in_flight = list(library.fetch_jobs(up.JobAction.PROCESS)) if os_level.process_set else []
    finished = list(library.fetch_jobs(up.JobAction.ACKNOWLEDGE))
    # A job in both finished in between: it is finished, not in flight (cancelling it after
    # acknowledging it would be refused: JOB-04).
    finished_ids = {job.local_identifier for job in finished}
    in_flight = [job for job in in_flight if job.local_identifier not in finished_ids]

    def remembered() -> Set[str]:
        if os_level.process_set:
            return set()
        keys = {entry.key for entry in ledger.with_job_in_flight()}
        for job in finished:
            key = identity.key_of(job)
            if key is not None:
                keys.discard(key)
        return keys

    late = [job for job in finished if job.local_identifier not in handled]
    late_acks = acknowledger.acknowledge(late, lambda job: True) if late else AckSummary.none()
    if late:
        finished = [job for job in finished if job.local_identifier not in late_acks.acknowledged]
        if late_acks.interrupted:
            return CreateOutcome(0, 0, late_acks, len(in_flight) + len(finished) + len(remembered()), job_limit, False,
                                 known_problem, True)

    live: Set[str] = set()
    for job in finished:
        key = identity.key_of(job)
        if key is not None:
            live.add(key)
    running: Set[str] = set()
    unwanted: List[up.UploadJob] = []
    for job in in_flight:  # oldest first: of two jobs for one resource, the older stays
        key = identity.key_of(job)
        if key is None:
            continue  # not ours to judge; it still counts against the limit
        entry = ledger.get(key)
        status = entry.status if entry is not None else None
        # queued for a server the account has left (host.server), a second job, or not wanted any more
        redundant = key in running or identity.on_former_server(job) or status in (GONE, UPLOADED)
        if redundant and os_level.view(job).type == up.JobType.UPLOAD and job.state.is_in_flight:
            unwanted.append(job)  # JOB-04: only registered or pending jobs are cancelled
        else:
            running.add(key)
    live |= running
    marked = remembered()
    live |= marked
    cancelled_jobs = 0
    if unwanted:
        cancellation = apply_in_blocks(library, unwanted, CHANGE_BLOCK, lambda changes, job: changes.cancel(job),
                                       cancelled)
        cancelled_jobs = len(cancellation.applied)
        gone_ids = {job.local_identifier for job in cancellation.applied}
        in_flight = [job for job in in_flight if job.local_identifier not in gone_ids]
        for job in cancellation.refused:
            key = identity.key_of(job)
            if key is not None:
                live.add(key)  # still running: still live
        context.log.info("cancelled %d in-flight jobs of deleted or already uploaded resources%s" % (
            cancelled_jobs, "" if not cancellation.refused else " (%d refused)" % len(cancellation.refused)))
        if cancellation.interrupted:
            return CreateOutcome(0, cancelled_jobs, late_acks, len(in_flight) + len(finished), job_limit, False,
                                 known_problem, True)

    unacknowledged = len(in_flight) + len(finished) + len(marked)
    # Below the job limit when jobs have outlived their credentials waiting in the system's queue.
    capacity = acknowledger.window.limit(context.storage, job_limit) - unacknowledged
    now = context.clock.millis()
    candidates: List[LedgerEntry] = []
    if capacity > 0 and known_problem is None:
        for entry in ledger.needing_upload():
            if len(candidates) == capacity:
                break
            if entry.key not in live and entry.due_at(now):
                candidates.append(entry)
    if not candidates:
        return CreateOutcome(0, cancelled_jobs, late_acks, unacknowledged, job_limit, False, known_problem, False)

    # Fresh resource details from the library; a resource whose asset is gone gets no job (E2E-02).
    resources: Dict[str, up.AssetResource] = {}
    for asset in library.fetch_assets(sorted({entry.asset for entry in candidates})):
        for resource in asset.resources:
            resources[resource.key()] = resource
    # Asked for assets and given none at all: the library did not answer; only an answer with
    # assets makes the missing ones gone (a real deletion reaches the ledger through discovery).
    library_answered = bool(resources)
    gone: List[LedgerEntry] = []
    creations: List[Tuple[up.AssetResource, up.UploadRequest]] = []
    cloud_problem: Optional[CloudUnavailable] = None
    started = context.clock.millis()
    out_of_time = False
    for entry in candidates:
        resource = resources.get(entry.key)
        if resource is None:
            if library_answered:
                gone.append(entry.with_status(GONE))
            continue
        if cloud_problem is not None or out_of_time:
            continue
        # A destination may cost a round trip: stop asking after the budget (RES-05).
        if cancelled.is_set() or context.clock.millis() - started > DESTINATION_BUDGET_MS:
            out_of_time = True
            continue
        try:
            creations.append((resource, cloud.destination_for(resource, context)))
        except CloudUnavailable as e:
            cloud_problem = e  # the first failure ends creating for this call
    ledger.record(gone, context.storage)

    def remember_in_flight(block: List[Tuple[up.AssetResource, up.UploadRequest]]) -> None:
        # No PROCESS set before iOS 26.5: remember which resources now have a job in flight, after
        # each block that committed. Recorded only after the last block, a kill inside a later
        # block left the earlier blocks' jobs unknown to the next process, which made second jobs
        # (explore:790, DUP-01/TRM-03; the Java sample's JobCreator does the same). Only a kill
        # between a commit and its record remains, which no API before 26.5 lets anyone see.
        now_ms = context.clock.millis()
        in_flight_now = []
        for resource, _destination in block:
            entry = ledger.get(resource.key())
            if entry is not None:
                in_flight_now.append(entry.with_job_since(now_ms))
        ledger.record(in_flight_now, context.storage)

    result = apply_in_blocks(library, creations, CREATE_BLOCK,
                             lambda changes, creation: changes.create_job(creation[0], creation[1]), cancelled,
                             None if os_level.process_set else remember_in_flight)
    if result.stopped_by is not None:
        context.log.info("creating stopped: %s%s" % (result.stopped_by,
                                                      " (job limit reached; answering PROCESSING)"
                                                      if result.limit_exceeded else ""))
    if result.refused:
        context.log.warn("creating %d jobs was refused (asset removed meanwhile?)" % len(result.refused))
    created = len(result.applied)
    return CreateOutcome(created, cancelled_jobs, late_acks, unacknowledged + created, job_limit,
                         result.limit_exceeded, cloud_problem, result.interrupted, not library_answered)


# --- one call ---------------------------------------------------------------------------------

class ProcessingRound:
    """One call of process_jobs: consent, discovery, retry, acknowledge, create, answer."""

    def __init__(self, context: up.ExtensionContext, ledger: Ledger, discovery: Discovery, host_app: HostAppUploads,
                 cloud, cancelled: threading.Event, window: Optional[QueueWindow] = None,
                 server: Optional[ServerChange] = None):
        self.server = server if server is not None else ServerChange()
        self.context = context
        self.library = context.library
        self.log = context.log
        self.ledger = ledger
        self.discovery = discovery
        self.host_app = host_app
        self.cloud = cloud
        self.cancelled = cancelled
        self.identity = JobIdentity(self.library, cloud, context.upload_url_base, context.os_at_least("27"))
        self.acknowledger = Acknowledger(context, ledger, cloud, self.identity, cancelled, window)

    def run(self) -> up.ProcessingResult:
        # First of all, before anything reads the ledger: did the host app move the account to
        # another server? Then the new server holds nothing of ours (host/server).
        self.server.follow(self.context, self.ledger)
        self.identity.server_changed = self.server.changed_ever
        access = self.library.authorization_status()
        enabled = self.library.is_upload_job_extension_enabled()
        if access != up.AuthorizationStatus.AUTHORIZED or not enabled:
            return self.without_consent(access, enabled)

        found = self.discovery.synchronise(self.context, self.ledger)
        described = found.describe()
        if described:
            self.log.info(described)
        if found.kind == "ABORTED":
            return self.without_consent(self.library.authorization_status(),
                                        self.library.is_upload_job_extension_enabled())
        if self.cancelled.is_set():
            return self.interrupted("discovery")
        by_host_app = self.host_app.fold(self.context.storage, self.ledger, self.server.host_uploads_before)
        if by_host_app:
            self.log.info("the host app uploaded %d resources itself (%s): recorded as uploaded"
                          % (by_host_app, up.AppGroupStorage.HOST_APP_UPLOADS))

        retry = retry_step(self.context, self.ledger, self.cloud, self.identity, self.cancelled)
        if retry.interrupted:
            return self.interrupted("retrying")

        # JOB-05: a job retried in this call is not acknowledged in it.
        finished = [job for job in self.library.fetch_jobs(up.JobAction.ACKNOWLEDGE)
                    if job.local_identifier not in retry.retried]
        acks = self.acknowledger.acknowledge(finished, lambda job: job.local_identifier in retry.offered)
        if acks.interrupted:
            return self.interrupted("acknowledging")

        handled = set(retry.retried) | acks.acknowledged | acks.refused
        creation = create_step(self.context, self.ledger, self.cloud, self.identity, self.acknowledger,
                               self.cancelled, handled, retry.cloud_problem)
        acks = acks.plus(creation.late_acks)
        if creation.no_candidate_found:
            self.discovery.rescan_next_call()  # deleted, or the library not answering: a scan tells (create_step)
        if creation.interrupted:
            return self.interrupted("creating")

        if self.ledger.compact_if_due(self.context.storage):
            self.log.info("ledger compacted into generation %d" % self.ledger.generation)

        problem = creation.cloud_problem or retry.cloud_problem
        to_upload = self.ledger.needing_upload_count()
        if creation.limit_exceeded or retry.limit_exceeded:
            # CAP-01, RES-02: after LIMIT_EXCEEDED the answer is PROCESSING, whatever else failed in the
            # call (the library not answering, our own server): the system calls again soon.
            result = up.ProcessingResult.PROCESSING
        elif found.unread and creation.created == 0 and (to_upload > 0 or found.kind == "UNRELIABLE"
                                                         or not self.ledger.entries):
            # The library did not answer (or no scan has ever found a resource): not up to date with
            # it, so not COMPLETED; FAILURE lets the system back off and call again. With an empty
            # ledger a COMPLETED waits for a library change a quiet phone never makes (the sample's
            # explore:4038: the only call's scan found nothing, 371 resources never uploaded). A scan
            # that found nothing once the ledger knows resources, none left to upload, answers as
            # usual, and the next library change scans again.
            result = up.ProcessingResult.FAILURE
        elif problem is not None and problem.permanent and to_upload > 0:
            result = up.ProcessingResult.FAILURE  # nothing a later call could do until the settings change
        elif (problem is not None and to_upload > 0 and not handled and creation.created == 0
              and creation.unacknowledged == 0 and not found.demands_processing):
            # Our own server cannot be reached and nothing moved: PROCESSING would bring another
            # call in ~5 min failing the same way, forever (RES-03); FAILURE lets the system back off.
            result = up.ProcessingResult.FAILURE
        elif (to_upload > 0 or creation.unacknowledged > 0 or found.demands_processing
              or creation.limit_exceeded or retry.limit_exceeded):
            result = up.ProcessingResult.PROCESSING  # RES-02 (and CAP-01, CHG-01)
        else:
            result = up.ProcessingResult.COMPLETED  # RES-01
        if problem is not None:
            self.log.warn("cloud unavailable (%s): %s" % ("permanent" if problem.permanent else "temporary", problem))
        self.log.info("retried %s; acknowledged %s; created %d%s; %d of %d jobs outstanding; %s -> %s" % (
            retry.describe(), acks.describe(), creation.created,
            ", cancelled %d" % creation.cancelled_jobs if creation.cancelled_jobs else "",
            creation.unacknowledged, creation.job_limit, self.ledger.summary(), result.name))
        return result

    def without_consent(self, access: up.AuthorizationStatus, enabled: bool) -> up.ProcessingResult:
        """CNS-01: create nothing, retry nothing, but store and acknowledge what is presented.
        Discovery is skipped: without access fetch_assets() is empty."""
        acks = self.acknowledger.acknowledge(self.library.fetch_jobs(up.JobAction.ACKNOWLEDGE), lambda job: True)
        self.log.info("no consent (access %s, extension %s): created nothing; acknowledged %s" % (
            access.name, "enabled" if enabled else "disabled", acks.describe()))
        if acks.interrupted:
            return self.interrupted("acknowledging without consent")
        return up.ProcessingResult.COMPLETED

    def interrupted(self, step: str) -> up.ProcessingResult:
        self.log.info("termination requested: stopped while %s; %s -> PROCESSING" % (step, self.ledger.summary()))
        return up.ProcessingResult.PROCESSING


# --- the extension ---------------------------------------------------------------------------

class ReferenceExtension(up.UploadExtension):
    """Keeps what lives as long as the process (ledger and token once loaded, the cloud's
    credentials, the termination flag) and hands each call to a ProcessingRound."""

    def __init__(self):
        # Set by will_terminate (another thread), polled between steps and blocks.
        self.termination_requested = threading.Event()
        self.ledger: Optional[Ledger] = None
        self.discovery = Discovery()
        self.host_app = HostAppUploads()
        self.window = QueueWindow()
        self.server = ServerChange()
        self.cloud = None
        self.cloud_settings: Optional[Dict[str, str]] = None

    def process_jobs(self, context: up.ExtensionContext) -> up.ProcessingResult:
        # The same instance serves many calls: a termination request belongs to its own call.
        self.termination_requested.clear()
        try:
            if self.ledger is None:
                self.ledger = Ledger.load(context.storage)
                context.log.info("ledger loaded: %s, generation %d%s%s" % (
                    self.ledger.summary(), self.ledger.generation,
                    ", %d unreadable lines skipped" % self.ledger.unreadable_lines
                    if self.ledger.unreadable_lines else "",
                    ", %d stale journals of an interrupted compaction deleted" % self.ledger.stale_journals_deleted
                    if self.ledger.stale_journals_deleted else ""))
            return ProcessingRound(context, self.ledger, self.discovery, self.host_app, self.cloud_for(context.configuration),
                                   self.termination_requested, self.window, self.server).run()
        except up.StorageUnavailableError as locked:
            # Before the first unlock after a restart the app group cannot be read, and while the host
            # app holds its file lock it cannot be written: the ledger is out of reach, not empty. Touch
            # nothing (an acknowledgement now could not be recorded first) and converge in a later call.
            self.forget_memory()
            context.log.warn("app group locked (not unlocked since a restart, or the host app holds its file lock): %s"
                             " -> FAILURE" % locked)
            return up.ProcessingResult.FAILURE
        except Exception as unexpected:  # noqa: BLE001 - RES-04: nothing escapes
            # ProcessKilled is a BaseException: a kill still ends the call, as SIGKILL would.
            self.forget_memory()
            try:
                context.log.error("unexpected %s: %s; in-memory state dropped, storage will be read again -> FAILURE"
                                  % (type(unexpected).__name__, unexpected))
            except Exception:  # noqa: BLE001 - the context refused even the log
                pass
            return up.ProcessingResult.FAILURE

    def will_terminate(self) -> None:
        # Set the flag and return at once (TRM-01): the call in progress stops at its next check.
        self.termination_requested.set()

    def cloud_for(self, configuration) -> object:
        """The dialect for this configuration; rebuilt only if the host app changed the settings."""
        settings = {k: v for k, v in configuration.items() if k.startswith("cloud.")}
        if self.cloud is None or settings != self.cloud_settings:
            self.cloud = cloud_from(configuration)
            self.cloud_settings = settings
        return self.cloud

    def forget_memory(self) -> None:
        """After an unexpected exception memory may disagree with storage: start from storage."""
        self.ledger = None
        self.discovery = Discovery()
        self.host_app = HostAppUploads()
        self.window = QueueWindow()
        self.server = ServerChange()
        self.cloud = None
        self.cloud_settings = None


if __name__ == "__main__":
    up.run(ReferenceExtension)
