"""A clean-room background upload extension for a WebDAV-style PUT server (upcert's generic-put).

Written from the PhotoKit reference, docs/protocol.md, docs/cloud.md and the client library's
docstrings only (session 2026-12-03d, docs/exploration.md). Its shape on purpose:

* **one JSON state file** in the app group (``cleanroom/state.json``), replaced atomically by
  ``storage.write`` and read again at the start of every call: the app group is the only truth,
  a process keeps nothing between calls;
* **one record per resource** (keyed ``asset#TYPE``) holding its status, its attempts, its refusals
  and when it may be tried next;
* **plain functions** per step (settle, reconcile, discover, fill) over that state, and a thin
  extension object that runs them in the order Apple asks: retry, acknowledge, create.

Job identity is the ``X-Cleanroom-Ref: <key> <attempt>`` header on every destination (a terminal
job may carry no ``resource``; iOS 26.1's ``createJob`` returns no identifier). A create block is
recorded as an *intent* before it is sent (records in ``doubt``); after a kill the doubt is settled
by evidence: the job shows in a fetch set, or (iOS 26.5+) it is absent from every set twice, 10 s
apart, or (before 26.5, where nothing lists jobs in flight) a later block's job finished 10 minutes
on, or nothing of ours was in flight for 15 minutes.

Failures: a response naming the stored object (``x-object-id``/``etag``) is a success whatever the
state; no response: retry at once with a fresh destination, then new jobs with a short back-off;
``-1013``: sign in again; ``retry-after``: wait (at most 15 minutes), not a refusal; ``-1100``/``-1022``:
final; anything else is a refusal: a fresh destination at once for the first two, then a wait of
1, 2, 4, 8 minutes (then 8), abandoned after 6 refusals spanning at least 40 minutes.
"""

import json
import threading
import urllib.parse

import upcert_extension as up

STATE = "cleanroom/state.json"
REF = "X-Cleanroom-Ref"
MINUTE = 60_000
WINDOW_MAX = 48
WINDOW_MIN = 4
BLOCK = 16
TOKEN_MARGIN = 40 * MINUTE          # renew a token with less than this left before handing it to jobs
NETWORK_CODES = {-1, -999, -1001, -1003, -1004, -1005, -1008, -1009, -1020}
FINAL_CODES = {-1022, -1100}
GIVE_UP_REFUSALS = 6
GIVE_UP_SPAN = 40 * MINUTE
RETRY_AFTER_CAP = 15 * MINUTE
INTENT_FIRST = True                 # record a create block before sending it (the twin sets it False)


class Stop(Exception):
    """willTerminate arrived: stop before the next step."""


# ---------------------------------------------------------------- state file

def load_state(storage, server):
    raw = storage.read_string(STATE)
    state = json.loads(raw) if raw else {}
    state.setdefault("v", 1)
    state.setdefault("server", server)
    state.setdefault("token", None)
    state.setdefault("changes", None)
    state.setdefault("rescan", True)
    state.setdefault("window", 24)
    state.setdefault("block", 0)
    state.setdefault("res", {})
    return state


def save_state(storage, state):
    storage.write_string(STATE, json.dumps(state, sort_keys=True, separators=(",", ":")))


def new_record(resource):
    return {"a": resource.asset_local_identifier, "t": resource.type.name, "f": resource.original_filename,
            "u": resource.uniform_type_identifier, "s": resource.file_size,
            "st": "todo", "n": 0, "live": [], "job": None, "blk": 0, "at": 0, "absent": None,
            "refusals": [], "net": 0, "nb": 0, "stale": False, "oid": None}


def resource_of(rec):
    return up.AssetResource(rec["a"], up.ResourceType[rec["t"]], rec["f"], rec["u"], rec["s"])


def in_flight(rec):
    return rec["st"] in ("live", "doubt")


# ---------------------------------------------------------------- the server

def sign_in(context, state, now, call):
    """A bearer token with at least TOKEN_MARGIN left, from the state or a fresh sign-in; None if refused
    (then not asked again in the same call)."""
    token = state.get("token")
    if token and token["until"] - now > TOKEN_MARGIN:
        return token["value"]
    if call.get("refused"):
        return None
    call["refused"] = True
    settings = context.cloud_settings
    if not settings.token_url:
        return None
    body = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": settings.client_id,
                                   "client_secret": settings.client_secret})
    request = up.UploadRequest.post(settings.token_url).with_header(
        "Content-Type", "application/x-www-form-urlencoded")
    try:
        response = context.http.send(request, body)
    except up.TransportError as e:
        context.log.warn("sign-in: no response (%s)" % e.error)
        return None
    if response.status != 200:
        context.log.warn("sign-in refused: %d" % response.status)
        return None
    try:
        answer = json.loads(response.body_text())
        value = answer["access_token"]
        lifetime = int(answer.get("expires_in", 3600)) * 1000
    except (ValueError, KeyError, TypeError):
        context.log.warn("sign-in: malformed answer")
        return None
    state["token"] = {"value": value, "until": now + lifetime}
    call["refused"] = False
    return value


def destination(context, rec, attempt, token):
    path = "/".join(urllib.parse.quote(part, safe="") for part in rec["a"].split("/"))
    name = urllib.parse.quote("%s-%s" % (rec["t"].lower(), rec["f"]), safe="")
    base = context.upload_url_base if context.upload_url_base.endswith("/") else context.upload_url_base + "/"
    return (up.UploadRequest.put("%sfiles/backup/%s/%s" % (base, path, name))
            .with_header("Authorization", "Bearer " + token)
            .with_header(REF, "%s#%s %d" % (rec["a"], rec["t"], attempt)))


def ref_of(job):
    if job.destination is None:
        return None, None
    value = job.destination.header(REF)
    if not value or " " not in value:
        return None, None
    key, _, attempt = value.rpartition(" ")
    try:
        return key, int(attempt)
    except ValueError:
        return None, None


# ---------------------------------------------------------------- what a finished job says

def verdict(context, job):
    """('ok', object id) | ('network',) | ('auth',) | ('wait', ms) | ('final',) | ('refused',)."""
    if job.state == up.JobState.SUCCEEDED:
        oid = None
        if context.os_at_least("26.4") and job.response_header_fields is not None:
            oid = job.response_header_fields.get("x-object-id")
        return ("ok", oid)
    if not context.os_at_least("26.4"):
        return ("refused",)            # iOS 26.1 shows nothing about a failure
    headers = job.response_header_fields
    error = job.error
    code = error.code if error is not None else None
    if headers is not None:
        oid = headers.get("x-object-id") or headers.get("etag")
        if oid:
            return ("ok", oid)        # the object is stored (a 204 reported failed)
    if code in FINAL_CODES:
        return ("final",)
    if headers is None:
        return ("network",)
    if code == up.UploadError.USER_AUTHENTICATION_REQUIRED:
        return ("auth",)
    after = headers.get("retry-after")
    if after is not None:
        try:
            seconds = int(after.strip())
        except ValueError:
            seconds = 60
        return ("wait", min(max(seconds, 1) * 1000, RETRY_AFTER_CAP))
    return ("refused",)


def refusal_wait(refusals):
    """Fresh destination at once for the first two refusals in a row, then 1, 2, 4, 8 minutes."""
    if refusals < 3:
        return 0
    return min(2 ** (refusals - 3), 8) * MINUTE


# ---------------------------------------------------------------- steps

def match(state, job):
    """The record a fetched job belongs to and whether it is that record's current job."""
    key, attempt = ref_of(job)
    if key is None and job.resource is not None:
        key = job.resource.key()
    rec = state["res"].get(key) if key is not None else None
    if rec is None:
        return None, False
    current = in_flight(rec) and (rec["job"] == job.local_identifier or
                                  (attempt is not None and attempt in rec["live"]))
    return rec, current


def settle(context, state, now, finished, retryable, consent):
    """Decides every presented job: record its outcome, then retry or acknowledge. Returns (acks, retries)."""
    acks, retries = [], []
    for job in finished:
        rec, current = match(state, job)
        if rec is None:
            acks.append(job)          # not ours (or a download-only job): nothing to keep
            continue
        said = verdict(context, job)
        if current:
            state["finblk"] = max(state.get("finblk", 0), rec["blk"])
        if said[0] == "ok":
            rec["oid"] = said[1] or rec["oid"]
            rec["refusals"], rec["net"] = [], 0
            here = job.destination is not None and job.destination.url.startswith(state["server"])
            if current or (rec["st"] in ("todo",) and here):
                # (an older attempt's success counts only if it went to the server the account is on now:
                # explore:47, a success on the old server acknowledged after the move marked the photo done)
                if current and rec["stale"]:
                    rec.update(st="todo", stale=False, live=[], job=None)   # stored on the old server
                else:
                    rec.update(st="done", live=[], job=None)
                    state["window"] = min(state["window"] + 1, WINDOW_MAX)
            acks.append(job)
            continue
        if not current:
            acks.append(job)          # an attempt we already moved on from
            continue
        rec["job"] = job.local_identifier
        if rec["stale"]:
            rec.update(st="todo", stale=False, live=[], job=None, refusals=[], net=0, nb=0)
            acks.append(job)
            continue
        kind = said[0]
        if rec.pop("del", False):
            kind = "final"            # the asset was deleted while its job ran
        can_retry = consent and job.local_identifier in retryable
        fresh_now = False
        if kind == "final":
            rec.update(st="gone", live=[], job=None)
        elif kind == "network":
            rec["net"] += 1
            fresh_now = rec["net"] == 1
            rec["nb"] = now + (0 if rec["net"] == 1 else min(rec["net"] - 1, 5) * MINUTE)
        elif kind == "auth":
            if rec["live"] and len(rec["live"]) > 1:
                state["window"] = max(state["window"] // 2, WINDOW_MIN)   # refused even with a fresh token
            state["token"] = None
            fresh_now = True
            rec["nb"] = now
        elif kind == "wait":
            rec["nb"] = now + said[1]
        else:
            rec["refusals"].append(now)
            count = len(rec["refusals"])
            if count >= GIVE_UP_REFUSALS and now - rec["refusals"][0] >= GIVE_UP_SPAN:
                context.log.warn("giving up on %s after %d refusals" % (job.local_identifier, count))
                rec.update(st="dropped", live=[], job=None)
            else:
                wait = refusal_wait(count)
                fresh_now = wait == 0
                rec["nb"] = now + wait
        if rec["st"] in ("gone", "dropped"):
            acks.append(job)
        elif fresh_now and can_retry:
            rec["st"] = "live"
            retries.append((job, rec))
        else:
            rec.update(st="todo", live=[], job=None)
            acks.append(job)
    return acks, retries


def doubt_evidence(state, jobs):
    """The create blocks proven committed by one of their jobs showing in a fetch set (blocks are all or
    nothing), with the job identifiers seen."""
    blocks, ids = set(), {}
    for job in jobs:
        rec, current = match(state, job)
        if rec is not None and current and rec["st"] == "doubt":
            blocks.add(rec["blk"])
            ids[(rec["a"], rec["t"])] = job.local_identifier
    return blocks, ids


def reconcile(state, now, proven, ids, lists_in_flight):
    """Settles the records left in doubt by a create block whose end a kill hid."""
    others_live = any(rec["st"] == "live" for rec in state["res"].values())
    for key in sorted(state["res"]):
        rec = state["res"][key]
        if rec["st"] != "doubt":
            continue
        if rec["blk"] in proven:
            rec.update(st="live", absent=None, job=ids.get((rec["a"], rec["t"]), rec["job"]))
            continue
        if lists_in_flight:           # iOS 26.5: absent from every set twice, 10 s apart
            if rec["absent"] is None:
                rec["absent"] = now
            elif now - rec["absent"] >= 10_000:
                rec.update(st="todo", live=[], job=None, absent=None)
            continue
        later_done = state.get("finblk", 0) > rec["blk"]
        if (later_done and now - rec["at"] >= 10 * MINUTE) or (not others_live and now - rec["at"] >= 15 * MINUTE):
            rec.update(st="todo", live=[], job=None)


def add_assets(state, assets):
    for asset in assets:
        for resource in asset.resources:
            key = resource.key()
            rec = state["res"].get(key)
            if rec is None:
                state["res"][key] = new_record(resource)
                continue
            rec.pop("del", None)
            if rec["st"] in ("gone",):
                rec.update(st="todo", refusals=[], net=0, nb=0)
            elif (rec["s"], rec["f"]) != (resource.file_size, resource.original_filename):
                rec.update(s=resource.file_size, f=resource.original_filename)
                if rec["st"] in ("done", "dropped"):
                    rec.update(st="todo", refusals=[], net=0, nb=0)


def forget_assets(state, ids):
    gone = set(ids)
    for rec in state["res"].values():
        if rec["a"] in gone and rec["st"] in ("todo", "dropped"):
            rec["st"] = "gone"
        elif rec["a"] in gone and in_flight(rec):
            rec["del"] = True         # its job fails or succeeds; either way nothing more after it


def discover(context, state):
    """Brings the records up to date with the library. Returns (found anything, library answered)."""
    library = context.library
    if state["changes"] and not state["rescan"]:
        try:
            changes = library.fetch_persistent_changes(up.ChangeToken(state["changes"]))
        except up.ChangeTokenExpiredError:
            context.log.info("change token expired: resynchronising")
            state["changes"], state["rescan"], state["resynced"] = None, True, True
            return True, discover(context, state)[1]
        if not changes:
            return False, True
        wanted = sorted({i for c in changes for i in c.inserted_assets + c.updated_assets})
        deleted = [i for c in changes for i in c.deleted_assets]
        assets = library.fetch_assets(wanted) if wanted else []
        inserted = {i for c in changes for i in c.inserted_assets} - set(deleted)
        if inserted and not assets:
            state["rescan"] = True    # the library answered none of them: walk it next time
            return False, False
        add_assets(state, assets)
        forget_assets(state, deleted)
        state["changes"] = changes[-1].change_token.encoded
        return True, True
    token = library.current_change_token()
    assets = library.fetch_assets()
    if not assets:
        # An empty walk is no proof of an empty library (PhotoKit answers nothing at times, YAIIU #50):
        # keep no token, walk again next call. With photos known, the library did not answer; nor, with
        # none ever found, can it be told from silence: answered only when every photo known is gone. (A
        # COMPLETED after a first walk that found nothing waits for a library change a quiet phone never
        # makes: explore:4038, 371 photos never uploaded.)
        state["rescan"] = True
        return False, bool(state["res"]) and not any(r["st"] != "gone" for r in state["res"].values())
    known = {a.local_identifier for a in assets}
    forget_assets(state, [r["a"] for r in state["res"].values() if r["a"] not in known])
    add_assets(state, assets)
    state["changes"], state["rescan"] = token.encoded, False
    return True, True


def fill(context, state, now, limit, unacked, stop, call):
    """Creates jobs for waiting records within the window. Returns (created, limit hit, refused sign-in)."""
    room = min(limit, state["window"]) - unacked
    ready = [k for k in sorted(state["res"]) if state["res"][k]["st"] == "todo" and state["res"][k]["nb"] <= now]
    if room <= 0 or not ready:
        return 0, False, False
    if stop.is_set():
        return 0, False, False
    token = sign_in(context, state, now, call)
    if token is None:
        return 0, False, True
    created = 0
    chosen = ready[:room]
    for start in range(0, len(chosen), BLOCK):
        if stop.is_set():
            break
        state["block"] += 1
        block = []
        for key in chosen[start:start + BLOCK]:
            rec = state["res"][key]
            rec["n"] += 1
            rec.update(st="doubt", live=[rec["n"]], job=None, stale=False, blk=state["block"], at=now, absent=None)
            block.append((key, rec))
        if INTENT_FIRST:
            save_state(context.storage, state)             # the intent, before the block
        ids = {}
        try:
            with context.library.perform_changes() as changes:
                for key, rec in block:
                    ids[key] = changes.create_job(resource_of(rec), destination(context, rec, rec["n"], token))
        except up.PhotosError as e:          # rejected as a whole: nothing of it committed
            for key, rec in block:
                rec.update(st="todo", live=[], blk=0)
            save_state(context.storage, state)
            if isinstance(e, up.LimitExceededError):
                return created, True, False
            if isinstance(e, up.IdentifierNotFoundError):
                # a resource of the block left the library: find which, mark it gone, try the rest next call
                present = context.library.fetch_assets(sorted({rec["a"] for _, rec in block}))
                if present:
                    ids_left = {a.local_identifier for a in present}
                    for _, rec in block:
                        if rec["a"] not in ids_left:
                            rec["st"] = "gone"
                else:
                    state["rescan"] = True
                save_state(context.storage, state)
                return created, True, False
            raise
        for key, rec in block:
            rec.update(st="live", job=ids.get(key))
        save_state(context.storage, state)
        created += len(block)
    return created, False, False


# ---------------------------------------------------------------- the extension

class CleanRoomPutExtension(up.UploadExtension):
    def __init__(self):
        self.stop = threading.Event()

    def will_terminate(self):
        self.stop.set()

    def process_jobs(self, context):
        self.stop.clear()
        try:
            return self._round(context)
        except Stop:
            return up.ProcessingResult.PROCESSING
        except up.StorageUnavailableError:
            context.log.warn("app group locked: nothing done")
            return up.ProcessingResult.FAILURE
        except Exception as e:  # noqa: BLE001 - nothing may escape processJobs (RES-04)
            context.log.error("unexpected: %s: %s" % (type(e).__name__, e))
            return up.ProcessingResult.FAILURE

    def _check(self):
        if self.stop.is_set():
            raise Stop()

    def _round(self, context):
        library = context.library
        clock = context.clock
        state = load_state(context.storage, context.upload_url_base)
        if state["server"] != context.upload_url_base:
            context.log.info("the account moved to another server: starting over there")
            for rec in state["res"].values():
                rec["refusals"], rec["net"], rec["nb"] = [], 0, 0
                if in_flight(rec):
                    rec["stale"] = True
                elif rec["st"] in ("done", "dropped"):
                    rec["st"] = "todo"
            state["server"], state["token"] = context.upload_url_base, None
        consent = (library.authorization_status() == up.AuthorizationStatus.AUTHORIZED
                   and library.is_upload_job_extension_enabled())

        # 1. what finished: record it, then retry or acknowledge in one block
        finished = library.fetch_jobs(up.JobAction.ACKNOWLEDGE)
        retryable = {j.local_identifier for j in library.fetch_jobs(up.JobAction.RETRY)} if finished else set()
        process = None
        if context.os_at_least("26.5") and consent:
            process = library.fetch_jobs(up.JobAction.PROCESS)
        now = clock.millis()
        call = {}
        proven, ids = doubt_evidence(state, finished + (process or []))
        acks, retries = settle(context, state, now, finished, retryable, consent)
        token = None
        if retries and not self.stop.is_set():
            token = sign_in(context, state, now, call)
        if token is None:
            for job, rec in retries:
                rec.update(st="todo", live=[], job=None)
            acks += [job for job, _ in retries]
            retries = []
        for job, rec in retries:
            rec["n"] += 1
            rec["live"].append(rec["n"])
        save_state(context.storage, state)
        if acks or retries:
            with library.perform_changes() as changes:
                for job, rec in retries:
                    changes.retry(job, destination(context, rec, rec["n"], token))
                for job in acks:
                    changes.acknowledge(job)
        moved = bool(acks or retries)
        self._check()

        # 2. create blocks a kill left in doubt
        if consent:
            reconcile(state, now, proven, ids, process is not None)

        if not consent:
            save_state(context.storage, state)
            return up.ProcessingResult.PROCESSING if self._work(state) else up.ProcessingResult.COMPLETED

        # 3. the library
        self._check()
        try:
            found, answered = discover(context, state)
        except up.ChangeNotSupportedError:
            found, answered = False, False
        except up.PhotosError as e:
            context.log.warn("library: %s" % e)
            found, answered = False, False
        save_state(context.storage, state)

        # 4. top the queue up
        self._check()
        unacked = sum(1 for r in state["res"].values() if in_flight(r))
        created, limited, refused = fill(context, state, clock.millis(), library.job_limit(), unacked, self.stop, call)
        save_state(context.storage, state)
        if limited:
            return up.ProcessingResult.PROCESSING
        if not answered and self._work(state):
            return up.ProcessingResult.FAILURE
        if not answered and not moved and not created:
            return up.ProcessingResult.FAILURE
        if refused and not moved and not created and not any(in_flight(r) for r in state["res"].values()):
            return up.ProcessingResult.FAILURE
        if state.pop("resynced", False):
            save_state(context.storage, state)
            return up.ProcessingResult.PROCESSING       # CHG-01: after an expired token, always
        if self._work(state) or not answered:
            return up.ProcessingResult.PROCESSING
        return up.ProcessingResult.COMPLETED

    @staticmethod
    def _work(state):
        return any(r["st"] in ("todo", "live", "doubt") for r in state["res"].values())


if __name__ == "__main__":
    up.run(CleanRoomPutExtension)
