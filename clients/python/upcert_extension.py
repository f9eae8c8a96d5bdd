"""upcert_extension: write a PhotoKit-style background upload extension in Python.

The client side of the upcert extension protocol, version 1 (docs/protocol.md), in one module
and the standard library only (Python 3.9 or newer). upcert runs your script once per simulated
process, e.g.::

    ./upcert certify --extension-cmd "python3 my_extension.py"

and your script hands an extension factory to :func:`run`::

    import upcert_extension as up

    class MyExtension(up.UploadExtension):
        def __init__(self):
            self.terminating = threading.Event()

        def process_jobs(self, context):
            self.terminating.clear()
            library = context.library
            for job in library.fetch_jobs(up.JobAction.ACKNOWLEDGE):
                ...
            with library.perform_changes() as changes:
                changes.acknowledge(job)
            return up.ProcessingResult.COMPLETED

        def will_terminate(self):
            self.terminating.set()

    if __name__ == "__main__":
        up.run(MyExtension)

Names mirror upcert's Java API (and so Apple's PhotoKit) in Python style: ``processJobs`` is
``process_jobs``, ``fetchJobs(JobAction.ACKNOWLEDGE)`` is ``fetch_jobs(JobAction.ACKNOWLEDGE)``,
``localIdentifier()`` is ``local_identifier``, ``PhotosException`` is :class:`PhotosError`,
``TransportException`` is :class:`TransportError`.

A ``performChanges`` block is either a ``with`` statement (above) or a callback, as in Java::

    library.perform_changes(lambda changes: changes.acknowledge(job))

Either way the changes are recorded while the block runs and sent to upcert as one message
when it ends, where they commit: an acknowledge, retry or cancel whose job can no longer take it
(a pending job that finished meanwhile) is dropped and the rest commits, as a nil change request
on a device — ``perform_changes(block)`` returns the :class:`ChangeOutcome` (``.dropped``), and the
``with`` statement's object holds it in ``.outcome``. A block rejected as a whole raises
:class:`PhotosError` (``LIMIT_EXCEEDED``, a creation refused) from the end of the ``with``
statement or from ``perform_changes(block)``. A member the device's iOS lacks (``cancel`` before
26.4, ``fetch_jobs(PROCESS)`` before 26.5, ``asset_resource`` before 27, a job's ``type``,
``error`` or ``response_header_fields`` before 26.4) raises :class:`UnavailableError`; check
``context.os_at_least("26.4")`` first, as ``#available`` would. An exception raised inside the block abandons it and
propagates. Blocks run one at a time per process (other threads wait) and must not be nested.

When the simulated system kills the process in the middle of an API call, that call raises
:class:`ProcessKilled`, a ``BaseException``: ``except Exception`` does not catch it, so the
call unwinds; every later API call of the same call context raises it again without reaching
upcert. Let it propagate (a real process would simply be gone).

Every API object is thread-safe: several threads may call the API at once. Job response
header lookups (``job.response_header_fields["etag"]``) are reported to upcert, which judges
whether names are spelled as the system presents them (lowercase, rule CLD-01).

Your stdout and stderr are yours: upcert captures them (bounded) into the run's folder; the
protocol travels over a Unix-domain socket (``UPCERT_CHANNEL``), never over them.
"""

from __future__ import annotations

import base64
import collections.abc
import datetime as _dt
import enum
import itertools
import json
import os
import socket
import sys
import threading
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

__all__ = [
    "PROTOCOL_VERSION", "run", "UploadExtension", "ProcessingResult", "JobAction", "JobState", "JobType",
    "AuthorizationStatus", "PhotosErrorCode", "ResourceType", "MediaType", "AssetResource", "Asset",
    "UploadRequest", "UploadError", "UploadJob", "ChangeToken", "PersistentChange", "HttpResponse",
    "PhotosError", "LimitExceededError", "AccessDeniedError", "IdentifierNotFoundError", "ChangeNotSupportedError",
    "ChangeTokenExpiredError", "CloudSettings", "TransportError", "ProcessKilled", "RefusedError", "UnavailableError", "ProtocolError",
    "ChangeOutcome", "DroppedChange",
    "ExtensionContext", "PhotoLibrary", "JobChanges", "AppGroupStorage", "ExtensionHttp", "ExtensionLog",
    "SimulatedClock",
]

#: The protocol version this client speaks (docs/protocol.md).
PROTOCOL_VERSION = 1
#: The environment variable naming the Unix-domain socket to connect to.
ENV_CHANNEL = "UPCERT_CHANNEL"
#: Optional: a folder where each process writes every message it sends and receives
#: (``protocol-<pid>[-<n>].jsonl``, one ``{"dir": "sent"|"received", "message": …}`` per line), for
#: debugging; e.g. ``--extension-cmd "env UPCERT_PROTOCOL_LOG=/tmp/wire python3 my_extension.py"``.
#: In upcert's namespaces each launch sees a folder of its own there (``launch-…/`` outside), at most
#: 256 MiB per launch (docs/isolation.md).
ENV_PROTOCOL_LOG = "UPCERT_PROTOCOL_LOG"
#: The largest message either side accepts, in bytes (one line, newline excluded).
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
#: Requests this process keeps outstanding at once; more wait for a free slot.
MAX_CONCURRENT_REQUESTS = 64

CLIENT_NAME = "upcert-python"

# Error codes (docs/protocol.md, "Errors").
ERROR_PHOTOS = 1
ERROR_TRANSPORT = 2
ERROR_REFUSED = 3
ERROR_KILLED = 4
ERROR_THREW = 5
ERROR_CRASHED = 6
ERROR_DENIED = 7
ERROR_UNAVAILABLE = 8
ERROR_STORAGE_UNAVAILABLE = 9
ERROR_PARSE = -32700
ERROR_INVALID_REQUEST = -32600
ERROR_METHOD_NOT_FOUND = -32601
ERROR_INVALID_PARAMS = -32602
ERROR_INTERNAL = -32603


# --- enumerations ----------------------------------------------------------------------------

class _RawValued(enum.Enum):
    """An enum whose members travel by name; its value is Apple's raw value."""

    @property
    def raw_value(self) -> int:
        """Apple's raw value."""
        return self.value

    @classmethod
    def of(cls, name: str):
        """The member called ``name`` (the protocol's spelling)."""
        try:
            return cls[name]
        except KeyError:
            raise ValueError("%s is not a %s" % (name, cls.__name__)) from None

    def __repr__(self) -> str:
        return "%s.%s" % (type(self).__name__, self.name)

    def __str__(self) -> str:
        return self.name


class ProcessingResult(_RawValued):
    """What a ``process_jobs`` call tells the system (``PHBackgroundResourceUploadProcessingResult``)."""
    FAILURE = 0
    PROCESSING = 1
    COMPLETED = 2


class JobAction(_RawValued):
    """Which jobs ``fetch_jobs`` returns: the jobs that action may be applied to."""
    ACKNOWLEDGE = 1
    RETRY = 2
    PROCESS = 3


class JobState(_RawValued):
    """The state of an upload job (``PHAssetResourceUploadJob.State``)."""
    REGISTERED = 1
    PENDING = 2
    FAILED = 3
    SUCCEEDED = 4
    CANCELLED = 5

    @property
    def is_finished(self) -> bool:
        """SUCCEEDED or FAILED: a state that must be acknowledged."""
        return self in (JobState.SUCCEEDED, JobState.FAILED)

    @property
    def is_in_flight(self) -> bool:
        """REGISTERED or PENDING: the system still owns the job."""
        return self in (JobState.REGISTERED, JobState.PENDING)


class JobType(_RawValued):
    """Upload, or download from iCloud only."""
    UPLOAD = 0
    DOWNLOAD_ONLY = 1


class AuthorizationStatus(_RawValued):
    """The app's photo library access (``PHAuthorizationStatus``)."""
    NOT_DETERMINED = 0
    RESTRICTED = 1
    DENIED = 2
    AUTHORIZED = 3
    LIMITED = 4


class PhotosErrorCode(_RawValued):
    """``PHPhotosError.Code`` values this feature meets."""
    INTERNAL_ERROR = -1
    PERSISTENT_CHANGE_TOKEN_EXPIRED = 3105
    IDENTIFIER_NOT_FOUND = 3201
    MULTIPLE_IDENTIFIERS_FOUND = 3202
    PERSISTENT_CHANGE_DETAILS_UNAVAILABLE = 3210
    NETWORK_ERROR = 3169  # an offloaded original that could not be downloaded from iCloud (request_data)
    CHANGE_NOT_SUPPORTED = 3300
    LIMIT_EXCEEDED = 3307
    ACCESS_USER_DENIED = 3311


class ResourceType(enum.Enum):
    """``PHAssetResourceType``, the cases this feature meets."""
    PHOTO = "PHOTO"
    VIDEO = "VIDEO"
    PAIRED_VIDEO = "PAIRED_VIDEO"
    ALTERNATE_PHOTO = "ALTERNATE_PHOTO"

    def __str__(self) -> str:
        return self.name


class MediaType(enum.Enum):
    """``PHAssetMediaType``."""
    IMAGE = "IMAGE"
    VIDEO = "VIDEO"

    def __str__(self) -> str:
        return self.name


def _enum_value(cls, value: Any, what: str):
    if not isinstance(value, str):
        raise ValueError("%s must be a string" % what)
    try:
        return cls[value]
    except KeyError:
        raise ValueError("%s must be one of %s, not %s" % (what, [m.name for m in cls], value)) from None


# --- exceptions ------------------------------------------------------------------------------

class ProcessKilled(BaseException):
    """The system killed the simulated process: unwind and make no more calls.

    A ``BaseException``, so ``except Exception`` blocks let it pass (Java's ``ProcessKilled``
    is an ``Error`` for the same reason).
    """


class PhotosError(Exception):
    """A ``PHPhotosError``: a change block rejected as a whole, an expired change token.

    :ivar code: the :class:`PhotosErrorCode`
    :ivar reason: the system's explanation
    """

    def __init__(self, code: PhotosErrorCode, reason: str):
        super().__init__("PHPhotosErrorDomain %d (%s): %s" % (code.raw_value, code.name, reason))
        self.code = code
        self.reason = reason

    @staticmethod
    def of(code: PhotosErrorCode, reason: str) -> "PhotosError":
        """The error for ``code``: its subclass where one exists (Java's ``PhotosException.of``)."""
        kind = _PHOTOS_ERROR_TYPES.get(code)
        return kind(reason) if kind is not None else PhotosError(code, reason)


class LimitExceededError(PhotosError):
    """``LIMIT_EXCEEDED``: the block would exceed the job limit; nothing applied. Stop creating, answer PROCESSING."""

    def __init__(self, reason: str):
        super().__init__(PhotosErrorCode.LIMIT_EXCEEDED, reason)


class AccessDeniedError(PhotosError):
    """``ACCESS_USER_DENIED``: full access or the extension was withdrawn; nothing applied."""

    def __init__(self, reason: str):
        super().__init__(PhotosErrorCode.ACCESS_USER_DENIED, reason)


class IdentifierNotFoundError(PhotosError):
    """``IDENTIFIER_NOT_FOUND``: a resource whose asset is gone, a job that no longer exists."""

    def __init__(self, reason: str):
        super().__init__(PhotosErrorCode.IDENTIFIER_NOT_FOUND, reason)


class ChangeNotSupportedError(PhotosError):
    """``CHANGE_NOT_SUPPORTED``: a change the object does not allow."""

    def __init__(self, reason: str):
        super().__init__(PhotosErrorCode.CHANGE_NOT_SUPPORTED, reason)


class ChangeTokenExpiredError(PhotosError):
    """``PERSISTENT_CHANGE_TOKEN_EXPIRED``: the history no longer reaches the token; resynchronise."""

    def __init__(self, reason: str):
        super().__init__(PhotosErrorCode.PERSISTENT_CHANGE_TOKEN_EXPIRED, reason)


_PHOTOS_ERROR_TYPES = {
    PhotosErrorCode.LIMIT_EXCEEDED: LimitExceededError,
    PhotosErrorCode.ACCESS_USER_DENIED: AccessDeniedError,
    PhotosErrorCode.IDENTIFIER_NOT_FOUND: IdentifierNotFoundError,
    PhotosErrorCode.CHANGE_NOT_SUPPORTED: ChangeNotSupportedError,
    PhotosErrorCode.PERSISTENT_CHANGE_TOKEN_EXPIRED: ChangeTokenExpiredError,
}


class TransportError(Exception):
    """No HTTP response arrived for ``context.http.send``; :attr:`error` says why.

    :ivar error: the sanitized :class:`UploadError`
    """

    def __init__(self, error: "UploadError"):
        super().__init__(str(error))
        self.error = error


class RefusedError(RuntimeError):
    """upcert refused the call: its context ended (``process_jobs`` returned), a job change
    outside its block, nested blocks. Java's ``IllegalStateException``."""


class UnavailableError(NotImplementedError):
    """The call does not exist at the simulated OS level (a selector missing on that iOS):
    check ``context.os_at_least(...)`` first, as ``#available`` would. Java's
    ``UnsupportedOperationException``."""


class StorageUnavailableError(OSError):
    """The app-group container is protected until the device's first unlock after a restart or
    while the user has it locked, or the host app holds its file lock (a write of its own: writes
    fail, reads at times too): the storage operation did nothing. Not an empty container: stop the call (answer FAILURE), touch
    nothing and acknowledge nothing whose outcome you could not store. Java's
    ``StorageUnavailableException``."""


class ProtocolError(RuntimeError):
    """An error answer this client has no better exception for (the code is in :attr:`code`)."""

    def __init__(self, code: int, message: str, data: Any = None):
        super().__init__("error %d: %s" % (code, message))
        self.code = code
        self.data = data if data is not None else {}


class _RpcError(Exception):
    """An error answer of the peer, or one to send."""

    def __init__(self, code: int, message: str, data: Optional[dict] = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data if data is not None else {}


class _Closed(Exception):
    """The connection ended before the answer came."""


# --- values ----------------------------------------------------------------------------------

def _text(node: Any, member: str) -> str:
    value = node.get(member) if isinstance(node, dict) else None
    if not isinstance(value, str):
        raise ValueError("%s must be a string" % member)
    return value


def _integer(node: Any, member: str) -> int:
    value = node.get(member) if isinstance(node, dict) else None
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError("%s must be an integer" % member)
    return value


def _strings(node: Any, what: str) -> Dict[str, str]:
    if node is None:
        return {}
    if not isinstance(node, dict):
        raise ValueError("%s must be an object" % what)
    for key, value in node.items():
        if not isinstance(value, str):
            raise ValueError("%s.%s must be a string" % (what, key))
    return dict(sorted(node.items()))


def _texts(node: Any, what: str) -> List[str]:
    if node is None:
        return []
    if not isinstance(node, list) or not all(isinstance(item, str) for item in node):
        raise ValueError("%s must be an array of strings" % what)
    return list(node)


def _parse_instant(text: str) -> _dt.datetime:
    """An ISO-8601 instant as Java writes it (``2026-01-05T08:00:00Z``, fractions optional)."""
    value = text.strip()
    if value.endswith("Z") or value.endswith("z"):
        value = value[:-1] + "+00:00"
    if "." in value:
        head, rest = value.split(".", 1)
        digits = ""
        while rest and rest[0].isdigit():
            digits += rest[0]
            rest = rest[1:]
        value = head + "." + (digits + "000000")[:6] + rest
    parsed = _dt.datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=_dt.timezone.utc)
    return parsed.astimezone(_dt.timezone.utc)


def _format_instant(instant: _dt.datetime) -> str:
    utc = instant.astimezone(_dt.timezone.utc)
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    if utc.microsecond:
        text += (".%06d" % utc.microsecond).rstrip("0")
    return text + "Z"


@dataclass(frozen=True)
class CloudSettings:
    """The host app's ``cloud.*`` settings, typed (Java's ``CloudSettings``): ``context.cloud_settings``.

    :ivar dialect: ``cloud.dialect`` ("" if unset)
    :ivar client_id: ``cloud.clientId``
    :ivar client_secret: ``cloud.clientSecret``
    :ivar token_url: ``cloud.tokenUrl`` or None
    :ivar presign_url: ``cloud.presignUrl`` or None
    :ivar api_url: ``cloud.apiUrl`` or None
    :ivar all: every setting
    """
    dialect: str
    client_id: str
    client_secret: str = field(repr=False)
    token_url: Optional[str]
    presign_url: Optional[str]
    api_url: Optional[str]
    all: Mapping[str, str] = field(repr=False)

    @staticmethod
    def of(configuration: Mapping[str, str]) -> "CloudSettings":
        def url(key: str) -> Optional[str]:
            value = configuration.get(key)
            if value is None or not value.strip():
                return None
            if "://" not in value:
                raise ValueError("%s is not an absolute URL: %r" % (key, value))
            return value.strip()
        return CloudSettings(configuration.get("cloud.dialect", ""), configuration.get("cloud.clientId", ""),
                             configuration.get("cloud.clientSecret", ""), url("cloud.tokenUrl"),
                             url("cloud.presignUrl"), url("cloud.apiUrl"), configuration)


@dataclass(frozen=True)
class AssetResource:
    """One file of an asset (``PHAssetResource``); (asset, type) identifies it."""
    asset_local_identifier: str
    type: ResourceType
    original_filename: str
    uniform_type_identifier: str
    file_size: int

    def key(self) -> str:
        """``asset_local_identifier + "#" + type``: unique within a library."""
        return "%s#%s" % (self.asset_local_identifier, self.type.name)

    def to_json(self) -> dict:
        return {"asset": self.asset_local_identifier, "type": self.type.name, "filename": self.original_filename,
                "uti": self.uniform_type_identifier, "size": self.file_size}

    @staticmethod
    def from_json(node: Any) -> "AssetResource":
        if not isinstance(node, dict):
            raise ValueError("resource must be an object")
        return AssetResource(_text(node, "asset"), _enum_value(ResourceType, node.get("type"), "type"),
                             _text(node, "filename"), _text(node, "uti"), _integer(node, "size"))


@dataclass(frozen=True)
class Asset:
    """A library asset (``PHAsset``) with its resources."""
    local_identifier: str
    media_type: MediaType
    creation_date: _dt.datetime
    resources: Tuple[AssetResource, ...]

    @staticmethod
    def from_json(node: Any) -> "Asset":
        if not isinstance(node, dict):
            raise ValueError("asset must be an object")
        resources = node.get("resources")
        if not isinstance(resources, list):
            raise ValueError("resources must be an array")
        return Asset(_text(node, "id"), _enum_value(MediaType, node.get("mediaType"), "mediaType"),
                     _parse_instant(_text(node, "created")), tuple(AssetResource.from_json(r) for r in resources))


@dataclass(frozen=True)
class UploadRequest:
    """A job's destination: URL, method and headers (the system sends the resource as body).

    Header names are kept as given; :meth:`header` looks them up ignoring case, as
    ``URLRequest.value(forHTTPHeaderField:)`` does.
    """
    url: str
    method: str = "PUT"
    headers: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self):
        if not isinstance(self.url, str) or "://" not in self.url:
            raise ValueError("destination URL must be absolute: %r" % (self.url,))
        object.__setattr__(self, "method", str(self.method).upper())
        object.__setattr__(self, "headers", _ReadOnlyDict(sorted(dict(self.headers).items())))

    @staticmethod
    def put(url: str) -> "UploadRequest":
        return UploadRequest(url, "PUT", {})

    @staticmethod
    def post(url: str) -> "UploadRequest":
        return UploadRequest(url, "POST", {})

    @staticmethod
    def get(url: str) -> "UploadRequest":
        return UploadRequest(url, "GET", {})

    def with_header(self, name: str, value: str) -> "UploadRequest":
        """A copy with one header added or replaced (any spelling of the name is replaced)."""
        headers = {k: v for k, v in self.headers.items() if k.lower() != name.lower()}
        headers[name] = value
        return UploadRequest(self.url, self.method, headers)

    def header(self, name: str) -> Optional[str]:
        """The header's value, looked up ignoring case; None if absent."""
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None

    def to_json(self) -> dict:
        return {"url": self.url, "method": self.method, "headers": dict(self.headers)}

    @staticmethod
    def from_json(node: Any) -> "UploadRequest":
        if not isinstance(node, dict):
            raise ValueError("request must be an object")
        return UploadRequest(_text(node, "url"), _text(node, "method"), _strings(node.get("headers"), "headers"))


class _ReadOnlyDict(dict):
    """A dict that refuses changes (the values of this module are immutable)."""

    def _refuse(self, *args, **kwargs):
        raise TypeError("read-only")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _refuse  # type: ignore

    def __hash__(self):  # frozen dataclasses hash their fields
        return hash(tuple(self.items()))


@dataclass(frozen=True)
class UploadError:
    """Why a job failed (``PHAssetResourceUploadJob.error``), sanitized, NSURLErrorDomain codes.

    As on a device, ``http_status`` is None: PhotoKit documents no HTTP status on the job (a
    response shows as BAD_SERVER_RESPONSE, or USER_AUTHENTICATION_REQUIRED for a 401, plus the
    job's lowercase ``response_header_fields``). Only a run stating ``--assume http-status`` fills it.
    """
    domain: str
    code: int
    http_status: Optional[int]
    description: str

    NSURL_ERROR_DOMAIN = "NSURLErrorDomain"
    UNKNOWN = -1
    CANCELLED = -999
    TIMED_OUT = -1001
    CANNOT_FIND_HOST = -1003
    CANNOT_CONNECT_TO_HOST = -1004
    NETWORK_CONNECTION_LOST = -1005
    RESOURCE_UNAVAILABLE = -1008  # the original could not be downloaded from iCloud: transient
    NOT_CONNECTED_TO_INTERNET = -1009
    BAD_SERVER_RESPONSE = -1011
    USER_AUTHENTICATION_REQUIRED = -1013
    ZERO_BYTE_RESOURCE = -1014
    DATA_NOT_ALLOWED = -1020
    BLOCKED_BY_POLICY = -1022
    FILE_DOES_NOT_EXIST = -1100

    def __str__(self) -> str:
        status = "" if self.http_status is None else " (HTTP %d)" % self.http_status
        return "%s %d%s: %s" % (self.domain, self.code, status, self.description)

    @staticmethod
    def from_json(node: Any) -> "UploadError":
        if not isinstance(node, dict):
            raise ValueError("error must be an object")
        status = node.get("httpStatus")
        if status is not None and (not isinstance(status, int) or isinstance(status, bool)):
            raise ValueError("httpStatus must be an integer")
        return UploadError(_text(node, "domain"), _integer(node, "code"), status, _text(node, "description"))


@dataclass(frozen=True)
class ChangeToken:
    """A persistent change token: store :attr:`encoded`, make it again with ``ChangeToken(text)``."""
    encoded: str

    def __post_init__(self):
        if not isinstance(self.encoded, str) or not self.encoded.strip():
            raise ValueError("empty change token")


@dataclass(frozen=True)
class PersistentChange:
    """One entry of the library's history (``PHPersistentChange``)."""
    change_token: ChangeToken
    inserted_assets: Tuple[str, ...]
    updated_assets: Tuple[str, ...]
    deleted_assets: Tuple[str, ...]

    @staticmethod
    def from_json(node: Any) -> "PersistentChange":
        if not isinstance(node, dict):
            raise ValueError("change must be an object")
        return PersistentChange(ChangeToken(_text(node, "token")), tuple(_texts(node.get("inserted"), "inserted")),
                                tuple(_texts(node.get("updated"), "updated")),
                                tuple(_texts(node.get("deleted"), "deleted")))


@dataclass(frozen=True)
class HttpResponse:
    """A response to ``context.http.send``; header names are lowercase."""
    status: int
    headers: Mapping[str, str]
    body: bytes

    def header(self, lowercase_name: str) -> Optional[str]:
        return self.headers.get(lowercase_name)

    def body_text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def is_successful(self) -> bool:
        return 200 <= self.status < 300

    @staticmethod
    def from_json(node: Any) -> "HttpResponse":
        if not isinstance(node, dict):
            raise ValueError("response must be an object")
        return HttpResponse(_integer(node, "status"), _ReadOnlyDict(_strings(node.get("headers"), "headers")),
                            base64.b64decode(_text(node, "body")))


class _WatchedHeaders(collections.abc.Mapping):
    """A job's response headers that report every lookup by key (iteration cannot misspell).

    Java's ``WatchedHeaders``: ``headers["etag"]``, ``headers.get("etag")`` and ``"etag" in
    headers`` are reported to upcert (rule CLD-01 judges the spelling); ``keys()``, ``items()``,
    ``values()`` and iteration — what a copy such as ``dict(headers)`` does — are reported as a
    read of the whole map (the headers were read; lookups on a copy cannot be seen); ``len()`` is
    not a read.
    """

    __slots__ = ("_job", "_map", "_report")

    def __init__(self, job: str, headers: Dict[str, str], report: Callable[[str, Any], None]):
        self._job = job
        self._map = headers
        self._report = report

    def __getitem__(self, key):
        self._report(self._job, key)
        return self._map[key]

    def get(self, key, default=None):
        self._report(self._job, key)
        return self._map.get(key, default)

    def __contains__(self, key):
        self._report(self._job, key)
        return key in self._map

    def __iter__(self) -> Iterator[str]:
        self._report(self._job, None)
        return iter(self._map)

    def keys(self):
        self._report(self._job, None)
        return self._map.keys()

    def items(self):
        self._report(self._job, None)
        return self._map.items()

    def values(self):
        self._report(self._job, None)
        return self._map.values()

    def __len__(self) -> int:
        return len(self._map)

    def __eq__(self, other):
        if isinstance(other, _WatchedHeaders):
            return self._map == other._map
        return isinstance(other, collections.abc.Mapping) and self._map == dict(other.items())

    def __hash__(self):
        return hash(tuple(sorted(self._map.items())))

    def __repr__(self) -> str:
        return repr(self._map)


@dataclass(frozen=True)
class UploadJob:
    """An upload job as fetched: an immutable snapshot (fetch again to see a new state).

    :ivar resource: the resource, or None (real devices report none on some terminal jobs:
        identify the job from its destination or your own records)
    :ivar destination: where the bytes go; None for a ``DOWNLOAD_ONLY`` job (iOS 26.4), which
        sends nothing (identify it by the identifier ``create_download_job`` returned)
    :ivar response_header_fields: the server's response headers, names lowercase, or None
        while in flight or when no response arrived; lookups by key are reported to upcert
    :ivar error: why it failed (state FAILED), else None
    """
    local_identifier: str
    state: JobState
    type: JobType
    resource: Optional[AssetResource]
    destination: Optional[UploadRequest]
    response_header_fields: Optional[Mapping[str, str]] = field(default=None, compare=False)
    error: Optional[UploadError] = None

    @staticmethod
    def from_json(node: Any, report: Optional[Callable[[str, Any], None]] = None) -> "UploadJob":
        if not isinstance(node, dict):
            raise ValueError("job must be an object")
        job_id = _text(node, "id")
        resource = node.get("resource")
        headers = node.get("responseHeaderFields")
        error = node.get("error")
        watched = None
        if headers is not None:
            plain = _strings(headers, "responseHeaderFields")
            watched = _WatchedHeaders(job_id, plain, report if report is not None else (lambda job, key: None))
        return UploadJob(job_id, _enum_value(JobState, node.get("state"), "state"),
                         _enum_value(JobType, node.get("type"), "type"),
                         None if resource is None else AssetResource.from_json(resource),
                         None if node.get("destination") is None else UploadRequest.from_json(node.get("destination")),
                         watched,
                         None if error is None else UploadError.from_json(error))


class _UploadJobBefore264(UploadJob):
    """A job on iOS 26.1: ``type``, ``response_header_fields`` and ``error`` arrived in 26.4, so
    reading one is refused (recorded by upcert, :class:`UnavailableError`)."""

    _UNAVAILABLE = {"type": "UploadJob.type", "error": "UploadJob.error",
                    "response_header_fields": "UploadJob.responseHeaderFields"}

    def __getattribute__(self, name):
        api = _UploadJobBefore264._UNAVAILABLE.get(name)
        if api is not None:
            object.__getattribute__(self, "_refuse")(api)
        return object.__getattribute__(self, name)

    def __repr__(self) -> str:
        return "UploadJob(%s, %s)" % (object.__getattribute__(self, "local_identifier"),
                                      object.__getattribute__(self, "state"))

    def __eq__(self, other):
        return self is other

    def __hash__(self):
        return hash(object.__getattribute__(self, "local_identifier"))

    @staticmethod
    def of(job: UploadJob, refuse: Callable[[str], None]) -> "UploadJob":
        restricted = _UploadJobBefore264(job.local_identifier, job.state, JobType.UPLOAD, job.resource,
                                         job.destination, None, None)
        object.__setattr__(restricted, "_refuse", refuse)
        return restricted


@dataclass(frozen=True)
class DroppedChange:
    """A change of a committed block that was dropped because its job could no longer be changed
    (a nil ``PHAssetResourceUploadJobChangeRequest(for:)`` on a device); the rest committed.

    :ivar index: the change's position in its block (0 = first recorded, creations count)
    :ivar change: ``"acknowledge"``, ``"retry"`` or ``"cancel"``
    :ivar job: the job's identifier (None if the block passed none)
    :ivar code: ``CHANGE_NOT_SUPPORTED`` or ``IDENTIFIER_NOT_FOUND``
    :ivar state: the job's state at the commit, None if the system holds no such job
    :ivar reason: why, in words
    """
    index: int
    change: str
    job: Optional[str]
    code: PhotosErrorCode
    state: Optional[JobState]
    reason: str


@dataclass(frozen=True)
class ChangeOutcome:
    """What became of a committed block: the changes applied and those dropped."""
    applied: int
    dropped: Tuple[DroppedChange, ...] = ()

    @property
    def all_applied(self) -> bool:
        return not self.dropped

    @staticmethod
    def from_json(node: Any, recorded: int) -> "ChangeOutcome":
        if node is None:
            return ChangeOutcome(recorded)
        if not isinstance(node, dict):
            raise ValueError("outcome must be an object")
        dropped = []
        for item in node.get("dropped") or []:
            state = item.get("state")
            dropped.append(DroppedChange(_integer(item, "index"), _text(item, "op"), item.get("job"),
                                         _enum_value(PhotosErrorCode, item.get("code"), "code"),
                                         None if state is None else _enum_value(JobState, state, "state"),
                                         _text(item, "reason")))
        return ChangeOutcome(_integer(node, "applied"), tuple(dropped))


def _version(text: str) -> Tuple[int, ...]:
    return tuple(int(part) for part in str(text).strip().split("."))


def _at_least(version: str, level: str) -> bool:
    a, b = _version(version), _version(level)
    width = max(len(a), len(b))
    return a + (0,) * (width - len(a)) >= b + (0,) * (width - len(b))


# --- the connection --------------------------------------------------------------------------

class _Pending:
    __slots__ = ("done", "result", "error")

    def __init__(self):
        self.done = threading.Event()
        self.result = None
        self.error = None  # an _RpcError or _Closed


class _Connection:
    """Newline-delimited JSON-RPC 2.0 both ways over one stream socket.

    A reader thread parses every line: answers complete the matching request, requests of the
    harness go to ``handler(id, method, params)``. Every message of the harness carries the
    virtual time ``t`` and the next job sequence ``nextJob``; both only grow, so the largest
    seen is kept (two replies may be written in the other order than they were stamped).
    """

    def __init__(self, sock: socket.socket, on_close: Callable[[str], None]):
        self._sock = sock
        self._in = sock.makefile("rb", buffering=1 << 16)
        self._write_lock = threading.Lock()
        self._state_lock = threading.Lock()
        self._pending: Dict[int, _Pending] = {}
        self._ids = itertools.count(1)
        self._slots = threading.BoundedSemaphore(MAX_CONCURRENT_REQUESTS)
        self._closed: Optional[str] = None
        self._on_close = on_close
        self._handler: Optional[Callable[[Any, str, Any], None]] = None
        self._log = _open_protocol_log()
        self._log_lock = threading.Lock()
        self.t = 0
        self.next_job = 1

    def start(self, handler: Callable[[Any, str, Any], None]) -> None:
        self._handler = handler
        reader = threading.Thread(target=self._read_loop, name="upcert-protocol-reader", daemon=True)
        reader.start()

    def virtual_time(self) -> Tuple[int, int]:
        with self._state_lock:
            return self.t, self.next_job

    def call(self, method: str, params: dict) -> Any:
        """Sends a request and waits for its answer; raises _RpcError or _Closed."""
        self._slots.acquire()
        try:
            pending = _Pending()
            with self._state_lock:
                if self._closed is not None:
                    raise _Closed(self._closed)
                request_id = next(self._ids)
                self._pending[request_id] = pending
            try:
                self._send({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
            except OSError as e:
                with self._state_lock:
                    self._pending.pop(request_id, None)
                raise _Closed("cannot send: %s" % e) from None
            except BaseException:
                with self._state_lock:
                    self._pending.pop(request_id, None)
                raise
            pending.done.wait()
            if pending.error is not None:
                raise pending.error
            return pending.result
        finally:
            self._slots.release()

    def reply(self, request_id: Any, result: Any = None, error: Optional[_RpcError] = None) -> None:
        message: Dict[str, Any] = {"jsonrpc": "2.0", "id": request_id}
        if error is None:
            message["result"] = result
        else:
            message["error"] = {"code": error.code, "message": error.message, "data": error.data}
        try:
            self._send(message)
        except (ValueError, TypeError) as e:
            # A result that cannot travel (not JSON, too long) becomes an error answer.
            self._send({"jsonrpc": "2.0", "id": request_id,
                        "error": {"code": ERROR_INTERNAL, "message": "cannot send the answer: %s" % e, "data": {}}})
        except OSError:
            pass  # the connection is going: the reader ends the process

    def _send(self, message: dict) -> None:
        line = json.dumps(message, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")
        if len(line) > MAX_MESSAGE_BYTES:
            raise ValueError("a message of %d bytes is longer than the protocol allows (%d)"
                             % (len(line), MAX_MESSAGE_BYTES))
        with self._write_lock:
            if self._closed is not None:
                raise _Closed(self._closed)
            if self._log is not None:
                self._record("sent", line)  # before sending: its answer cannot be logged first
            self._sock.sendall(line + b"\n")

    def _record(self, direction: str, line: bytes) -> None:
        entry = b'{"dir":"' + direction.encode("ascii") + b'","message":' + line + b"}\n"
        with self._log_lock:
            try:
                self._log.write(entry)  # type: ignore[union-attr]
                self._log.flush()  # type: ignore[union-attr]
            except (OSError, ValueError):
                pass  # a debugging aid never breaks the extension

    def _read_loop(self) -> None:
        reason = "closed by the harness"
        try:
            while True:
                line = self._in.readline(MAX_MESSAGE_BYTES + 1)
                if not line:
                    break
                if not line.endswith(b"\n"):
                    if len(line) > MAX_MESSAGE_BYTES:
                        reason = "protocol violation: a message longer than %d bytes" % MAX_MESSAGE_BYTES
                    else:
                        reason = "closed by the harness in the middle of a message"
                    break
                line = line.strip()
                if not line:
                    continue
                try:
                    message = json.loads(line.decode("utf-8"))
                except ValueError as e:
                    reason = "protocol violation: a message that is not JSON (%s)" % e
                    break
                if not isinstance(message, dict):
                    reason = "protocol violation: a message that is not a JSON object"
                    break
                if self._log is not None:
                    self._record("received", line)
                problem = self._dispatch(message)
                if problem is not None:
                    reason = "protocol violation: " + problem
                    break
        except OSError as e:
            reason = "broken: %s" % e
        self._finish(reason)

    def _dispatch(self, message: dict) -> Optional[str]:
        t = message.get("t")
        next_job = message.get("nextJob")
        with self._state_lock:
            if isinstance(t, int) and not isinstance(t, bool) and t > self.t:
                self.t = t
            if isinstance(next_job, int) and not isinstance(next_job, bool) and next_job > self.next_job:
                self.next_job = next_job
        request_id = message.get("id")
        if "result" in message or "error" in message:
            if not isinstance(request_id, int) or isinstance(request_id, bool):
                return "an answer without a numeric id"
            with self._state_lock:
                pending = self._pending.pop(request_id, None)
            if pending is None:
                return "an answer to request %d, which is not pending" % request_id
            error = message.get("error")
            if error is not None:
                if not isinstance(error, dict):
                    error = {}
                code = error.get("code")
                data = error.get("data")
                pending.error = _RpcError(code if isinstance(code, int) else ERROR_INTERNAL, str(error.get("message", "")),
                                          data if isinstance(data, dict) else {})
            else:
                pending.result = message.get("result")
            pending.done.set()
            return None
        method = message.get("method")
        if not isinstance(method, str):
            return "a message that is neither a request nor an answer"
        if request_id is None:
            return None  # a notification: nothing to answer (the harness sends none)
        params = message.get("params", {})
        self._handler(request_id, method, params)  # type: ignore[misc]
        return None

    def _finish(self, reason: str) -> None:
        with self._state_lock:
            if self._closed is None:
                self._closed = reason
            pending = list(self._pending.values())
            self._pending.clear()
        for one in pending:
            one.error = _Closed(reason)
            one.done.set()
        self._on_close(reason)


def _open_protocol_log():
    folder = os.environ.get(ENV_PROTOCOL_LOG)
    if not folder:
        return None
    try:
        os.makedirs(folder, exist_ok=True)
        # One file per process. In upcert's PID namespace every launch has the same small pid, so
        # the first free name wins: protocol-<pid>.jsonl, then protocol-<pid>-2.jsonl, ...
        for n in range(1, 100000):
            name = "protocol-%d.jsonl" % os.getpid() if n == 1 else "protocol-%d-%d.jsonl" % (os.getpid(), n)
            try:
                return open(os.path.join(folder, name), "xb")
            except FileExistsError:
                continue
        raise OSError("no free protocol log name")
    except OSError as e:
        sys.stderr.write("upcert_extension: cannot write the protocol log in %s: %s\n" % (folder, e))
        return None


# --- the context of one call -----------------------------------------------------------------

class SimulatedClock:
    """The simulated clock (``context.clock``): never use the wall clock in an extension.

    Virtual time advances with every API call the extension makes, as upcert's answers say.
    """

    def __init__(self, connection: _Connection):
        self._connection = connection
        self._epoch = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
        self._epoch_millis = 0
        self._known = threading.Event()

    def _set_epoch(self, epoch: _dt.datetime) -> None:
        self._epoch = epoch
        self._epoch_millis = int(round(epoch.timestamp() * 1000))
        self._known.set()

    def millis(self) -> int:
        """Milliseconds since 1970-01-01T00:00:00Z, simulated."""
        self._known.wait()  # the hello's answer names the epoch; it may still be on its way
        return self._epoch_millis + self._connection.virtual_time()[0]

    def now(self) -> _dt.datetime:
        """The simulated time as an aware UTC datetime."""
        self._known.wait()
        return self._epoch + _dt.timedelta(milliseconds=self._connection.virtual_time()[0])

    def instant(self) -> _dt.datetime:
        """:meth:`now`, by Java's name."""
        return self.now()


class _Process:
    """What one extension process shares across its calls: the connection, the block lock."""

    def __init__(self, connection: _Connection):
        self.connection = connection
        self.clock = SimulatedClock(connection)
        self.block_lock = threading.Lock()
        self.in_block = threading.local()


class ExtensionContext:
    """The services the system lends one ``process_jobs`` call; invalid once it returns.

    :ivar library: :class:`PhotoLibrary`
    :ivar storage: :class:`AppGroupStorage`, the app-group container (durable across kills)
    :ivar clock: :class:`SimulatedClock`
    :ivar upload_url_base: the Info.plist ``BackgroundUploadURLBase`` (text)
    :ivar http: :class:`ExtensionHttp` for the extension's own requests
    :ivar log: :class:`ExtensionLog`, lines land in the trace
    :ivar configuration: the host app's settings (read-only mapping, keys sorted)
    :ivar os_version: the simulated OS level (``"26.1"``, ``"27.0"``)
    :ivar activation: the number of this call
    """

    def __init__(self, process: _Process, activation: int, upload_url_base: str, configuration: Dict[str, str],
                 os_version: str):
        self._process = process
        self._connection = process.connection
        self.activation = activation
        self.upload_url_base = upload_url_base
        self.configuration: Mapping[str, str] = _ReadOnlyDict(sorted(configuration.items()))
        self.os_version = os_version
        self.clock = process.clock
        self._lock = threading.Lock()
        self._lookups: List[List[str]] = []
        self._valid = True
        self._killed = False
        self.library = PhotoLibrary(self)
        self.storage = AppGroupStorage(self)
        self.http = ExtensionHttp(self)
        self.log = ExtensionLog(self)

    # -- lifecycle, used by the runner --

    def _end(self) -> None:
        """The call returned: later header lookups count for nothing."""
        with self._lock:
            self._valid = False

    @property
    def cloud_settings(self) -> CloudSettings:
        """The ``cloud.*`` settings of :attr:`configuration`, typed (:class:`CloudSettings`).

        :raises ValueError: a URL setting is not an absolute URL
        """
        return CloudSettings.of(self.configuration)

    def os_at_least(self, level: str) -> bool:
        """Whether the simulated OS level is at least ``level`` ("26.4", "27"): ``#available``."""
        return _at_least(self.os_version, level)

    def _unavailable(self, api: str) -> None:
        """The extension used ``api``, which the OS level lacks: recorded by upcert, then refused."""
        self._call("api.unavailable", {"api": api})  # answered with error 8: raises UnavailableError
        raise UnavailableError("%s is not available at iOS %s" % (api, self.os_version))

    def _report_lookup(self, job: str, key: Any) -> None:
        with self._lock:
            if self._valid and not self._killed:
                # None: the whole map was read (iterated, copied)
                self._lookups.append([job, key if key is None or isinstance(key, str) else str(key)])

    def _flush_lookups(self) -> None:
        with self._lock:
            pending, self._lookups = self._lookups, []
        if pending:
            params: Dict[str, Any] = {"lookups": [pair for pair in pending if pair[1] is not None]}
            reads = [pair[0] for pair in pending if pair[1] is None]
            if reads:
                params["reads"] = reads
            self._call_raw("job.headerLookups", params)

    # -- requests --

    def _call_raw(self, method: str, params: dict) -> Any:
        if self._killed:
            raise ProcessKilled("process killed by the system; %s is not sent" % method)
        message = dict(params)
        message["call"] = self.activation
        try:
            return self._connection.call(method, message)
        except _Closed:
            self._killed = True
            raise ProcessKilled("process killed by the system: the harness ended the protocol connection") from None
        except _RpcError as e:
            if e.code == ERROR_KILLED:
                self._killed = True
                raise ProcessKilled(e.message) from None
            raise

    def _rpc(self, method: str, params: dict) -> Any:
        """A request after the pending header lookups; error answers stay _RpcError."""
        self._flush_lookups()
        return self._call_raw(method, params)

    def _call(self, method: str, params: dict) -> Any:
        """A request whose error answers become this module's exceptions."""
        try:
            return self._rpc(method, params)
        except _RpcError as e:
            raise _unchecked(e) from None


def _unchecked(e: _RpcError) -> BaseException:
    if e.code == ERROR_KILLED:
        return ProcessKilled(e.message)
    if e.code == ERROR_REFUSED:
        return RefusedError(e.message)
    if e.code == ERROR_INVALID_PARAMS:
        return ValueError(e.message)
    if e.code == ERROR_UNAVAILABLE:
        return UnavailableError(e.message)
    if e.code == ERROR_STORAGE_UNAVAILABLE:
        return StorageUnavailableError(e.message)
    if e.code == ERROR_PHOTOS:
        return _photos(e)
    return ProtocolError(e.code, e.message, e.data)


def _photos(e: _RpcError) -> PhotosError:
    name = e.data.get("photosError") if isinstance(e.data, dict) else None
    try:
        code = PhotosErrorCode[name] if isinstance(name, str) else PhotosErrorCode.INTERNAL_ERROR
    except KeyError:
        code = PhotosErrorCode.INTERNAL_ERROR
    reason = e.data.get("reason") if isinstance(e.data, dict) else None
    return PhotosError.of(code, reason if isinstance(reason, str) else e.message)


class PhotoLibrary:
    """The photo library and its upload jobs (``PHPhotoLibrary`` and the job class methods)."""

    def __init__(self, context: ExtensionContext):
        self._context = context

    def authorization_status(self) -> AuthorizationStatus:
        return _enum_value(AuthorizationStatus, self._context._call("library.authorizationStatus", {}), "result")

    def is_upload_job_extension_enabled(self) -> bool:
        return bool(self._context._call("library.isUploadJobExtensionEnabled", {}))

    def fetch_assets(self, local_identifiers: Optional[Sequence[str]] = None) -> List[Asset]:
        """All assets the app may see, oldest first; or those of ``local_identifiers`` that still exist."""
        params: Dict[str, Any] = {}
        if local_identifiers is not None:
            params["localIdentifiers"] = list(local_identifiers)
        return [Asset.from_json(a) for a in self._context._call("library.fetchAssets", params)]

    def fetch_resource(self, resource_key: str) -> Optional["AssetResource"]:
        """The resource a stored :meth:`AssetResource.key` names, or None if its asset or the
        resource is gone: one targeted fetch of the key's asset, never a scan of the library
        (Java's ``PhotoLibrary.fetchResource``).

        :raises ValueError: ``resource_key`` is not ``asset_local_identifier#TYPE``
        """
        asset_id, _, type_name = resource_key.rpartition("#")
        if not asset_id or type_name not in ResourceType.__members__:
            raise ValueError("not a resource key (assetLocalIdentifier#TYPE): %r" % resource_key)
        for asset in self.fetch_assets([asset_id]):
            for resource in asset.resources:
                if resource.key() == resource_key:
                    return resource
        return None

    def current_change_token(self) -> ChangeToken:
        return ChangeToken(self._context._call("library.currentChangeToken", {}))

    def fetch_persistent_changes(self, token: ChangeToken) -> List[PersistentChange]:
        """The changes since ``token``, oldest first.

        :raises PhotosError: ``PERSISTENT_CHANGE_TOKEN_EXPIRED``: drop the token, resynchronise
            from ``fetch_assets()`` and answer PROCESSING
        """
        encoded = token.encoded if isinstance(token, ChangeToken) else token
        return [PersistentChange.from_json(c)
                for c in self._context._call("library.fetchPersistentChanges", {"token": encoded})]

    def job_limit(self) -> int:
        return int(self._context._call("library.jobLimit", {}))

    def fetch_jobs(self, action: JobAction) -> List[UploadJob]:
        """The jobs ``action`` may be applied to, oldest first.

        :raises UnavailableError: ``PROCESS`` before iOS 26.5
        """
        if not isinstance(action, JobAction):
            raise ValueError("action must be a JobAction, not %r" % (action,))
        report = self._context._report_lookup
        jobs = [UploadJob.from_json(job, report)
                for job in self._context._call("library.fetchJobs", {"action": action.name})]
        if not self._context.os_at_least("26.4"):
            jobs = [_UploadJobBefore264.of(job, self._context._unavailable) for job in jobs]
        return jobs

    def asset_resource(self, job: Union[UploadJob, str]) -> Optional[AssetResource]:
        """The resource of a job if its asset still exists (iOS 27's ``assetResource(forUploadJob:)``).

        :raises UnavailableError: before iOS 27
        """
        job_id = job.local_identifier if isinstance(job, UploadJob) else job
        node = self._context._call("library.assetResource", {"job": job_id})
        return None if node is None else AssetResource.from_json(node)

    def request_data(self, resource: "AssetResource") -> bytes:
        """The bytes of ``resource`` as the system uploads them (``PHAssetResourceManager.requestData``):
        what an extension that hashes its originals reads. The read costs the device time in
        proportion to the resource's declared ``file_size`` (an extension that reads every original
        at every call meets the runtime limit), and the bytes count toward the call's memory
        until it returns (Java's ``PhotoLibrary.requestData``).

        :raises PhotosError: ``IDENTIFIER_NOT_FOUND`` when the resource's asset is gone;
            ``NETWORK_ERROR`` when an offloaded original could not be downloaded from iCloud (transient)
        """
        node = self._context._call("library.requestData", {"resource": resource.to_json()})
        return base64.b64decode(_text(node, "data"))

    def perform_changes(self, block: Optional[Callable[["JobChanges"], Any]] = None):
        """Runs a change block and commits its changes (``performChangesAndWait``).

        With a callable: runs ``block(changes)``, commits, and returns the :class:`ChangeOutcome`.
        Without: returns a context manager, ``with library.perform_changes() as changes: ...``,
        committing when the ``with`` ends (its ``outcome`` attribute holds the outcome then).

        An acknowledge, retry or cancel whose job's state does not allow it at the commit (a
        pending job that finished meanwhile) is dropped and the rest commits, as a nil change
        request on a device; ``outcome.dropped`` lists them.

        :raises PhotosError: the block was rejected as a whole (``LIMIT_EXCEEDED``,
            ``ACCESS_USER_DENIED``, ``IDENTIFIER_NOT_FOUND`` for a creation)
        :raises RefusedError: a block inside a block of the same thread
        """
        if block is None:
            return _ChangeBlock(self._context)
        change_block = _ChangeBlock(self._context)
        with change_block as changes:
            block(changes)
        return change_block.outcome


class JobChanges:
    """The job changes of one block; valid only while it runs. Each call records a change."""

    def __init__(self, context: ExtensionContext, next_job: int):
        self._context = context
        self._next_job = next_job
        self._ops: List[dict] = []
        self._open = True
        self._lock = threading.Lock()

    def _record(self, api: str, op: dict) -> None:
        with self._lock:
            if self._open:
                self._ops.append(op)
                return
        self._context._call("library.changesOutsideBlock", {"api": api})  # refused: raises RefusedError
        raise RefusedError("%s outside its performChanges block" % api)

    def create_job(self, resource: AssetResource, destination: UploadRequest) -> Optional[str]:
        """Creates a job for ``resource`` to ``destination``; returns its identifier (usable at
        once) from iOS 26.4, None before (26.1's ``createJob`` returns nothing)."""
        with self._lock:
            placeholder = "J%06d" % self._next_job
            if self._open:
                self._next_job += 1
        self._record("JobChanges.createJob", {
            "op": "create", "resource": None if resource is None else resource.to_json(),
            "destination": None if destination is None else destination.to_json(), "placeholder": placeholder})
        return placeholder if self._context.os_at_least("26.4") else None

    def create_download_job(self, resource: AssetResource) -> str:
        """Creates a download-only job for ``resource`` (``creationRequestForDownloadJob``, iOS 26.4;
        :class:`UnavailableError` before): the system fetches the original from iCloud and sends
        nothing. Its success is not an upload, and the local copy may be purged soon. Returns its
        identifier (usable at once); creates and download creates share one numbering."""
        with self._lock:
            is_open = self._open
        if is_open and not self._context.os_at_least("26.4"):
            self._context._unavailable("JobChanges.createDownloadJob")
        with self._lock:
            placeholder = "J%06d" % self._next_job
            if self._open:
                self._next_job += 1
        self._record("JobChanges.createDownloadJob", {
            "op": "createDownload", "resource": None if resource is None else resource.to_json(),
            "placeholder": placeholder})
        return placeholder

    def acknowledge(self, job: Union[UploadJob, str]) -> None:
        """Acknowledges a succeeded or failed job: its record disappears. Store its outcome first."""
        self._record("JobChanges.acknowledge", {"op": "acknowledge", "job": _job_id(job)})

    def retry(self, job: Union[UploadJob, str], new_destination: Optional[UploadRequest] = None) -> None:
        """Puts a failed, never-retried job back in flight; None keeps its destination."""
        self._record("JobChanges.retry", {"op": "retry", "job": _job_id(job),
                                          "destination": None if new_destination is None else new_destination.to_json()})

    def cancel(self, job: Union[UploadJob, str]) -> None:
        """Cancels a registered or pending job (iOS 26.4; :class:`UnavailableError` before)."""
        with self._lock:
            is_open = self._open
        if is_open and not self._context.os_at_least("26.4"):
            self._context._unavailable("JobChanges.cancel")
        self._record("JobChanges.cancel", {"op": "cancel", "job": _job_id(job)})


def _job_id(job: Union[UploadJob, str, None]) -> Optional[str]:
    if job is None:
        return None
    return job.local_identifier if isinstance(job, UploadJob) else str(job)


class _ChangeBlock:
    """``with library.perform_changes() as changes:``: one block, sent as one message at its end."""

    def __init__(self, context: ExtensionContext):
        self._context = context
        self._changes: Optional[JobChanges] = None
        self.outcome: Optional[ChangeOutcome] = None

    def __enter__(self) -> JobChanges:
        process = self._context._process
        if getattr(process.in_block, "active", False):
            self._context._call("library.performChanges", {"nested": True})  # refused: raises RefusedError
            raise RefusedError("performChanges blocks cannot be nested")
        if self._context._killed:
            raise ProcessKilled("process killed by the system; performChanges is not sent")
        process.block_lock.acquire()
        process.in_block.active = True
        # Placeholders: the identifiers the system will give the block's new jobs. Read under the
        # lock, after the previous block's answer said what comes next.
        self._changes = JobChanges(self._context, self._context._connection.virtual_time()[1])
        return self._changes

    def __exit__(self, kind, value, trace) -> bool:
        process = self._context._process
        changes = self._changes
        try:
            with changes._lock:  # type: ignore[union-attr]
                changes._open = False  # type: ignore[union-attr]
            if kind is not None and not issubclass(kind, Exception):
                return False  # ProcessKilled, KeyboardInterrupt, SystemExit: nothing is sent
            params: Dict[str, Any] = {"changes": changes._ops}  # type: ignore[union-attr]
            if kind is not None:
                params["threw"] = _class_name(kind)
            try:
                answer = self._context._rpc("library.performChanges", params)
                self.outcome = ChangeOutcome.from_json(answer, len(changes._ops))  # type: ignore[union-attr]
            except _RpcError as e:
                if kind is None:
                    raise _unchecked(e) from None
                # The block's own exception is what the extension sees.
            return False
        finally:
            process.in_block.active = False
            process.block_lock.release()


class AppGroupStorage:
    """The app-group container: durable across calls, relaunches and kills.

    ``write`` replaces a file atomically, ``append`` adds to its end; each call is all or
    nothing, and a kill leaves a prefix of the calls made.

    Shared with the host app: while it holds the file lock every write raises
    :class:`StorageUnavailableError`; it lists the resources it uploaded itself in
    :attr:`HOST_APP_UPLOADS` (one resource key per line; read it, never write it).
    """

    #: The host app's list of the resources it uploaded itself (``host.upload``): one
    #: ``asset#TYPE`` key per line, appended. Java's ``AppGroupStorage.HOST_APP_UPLOADS``.
    HOST_APP_UPLOADS = "host/uploaded"

    #: The host app's word that the user moved the account to another server (``host.server``):
    #: ``generation=N``, ``uploadBase=URL``, ``apiBase=URL`` and ``hostUploadedLines=N`` (the lines
    #: of :attr:`HOST_APP_UPLOADS` written before the change: the old server's), rewritten whole at
    #: each change; absent until the first. The new server is the one that counts. Java's
    #: ``AppGroupStorage.HOST_APP_SERVER``.
    HOST_APP_SERVER = "host/server"

    def __init__(self, context: ExtensionContext):
        self._context = context

    def read(self, name: str) -> Optional[bytes]:
        """The file's bytes, or None if there is no such file."""
        node = self._context._call("storage.read", {"name": name})
        if node is None:
            return None
        return base64.b64decode(_text(node, "data"))

    def write(self, name: str, content: Union[bytes, str]) -> None:
        self._context._call("storage.write", {"name": name, "data": _base64(content)})

    def append(self, name: str, content: Union[bytes, str]) -> None:
        self._context._call("storage.append", {"name": name, "data": _base64(content)})

    def delete(self, name: str) -> bool:
        """Deletes the file; returns whether it existed."""
        return bool(self._context._call("storage.delete", {"name": name}))

    def list(self, prefix: str = "") -> List[str]:
        """The names of all files whose name starts with ``prefix``, sorted."""
        return _texts(self._context._call("storage.list", {"prefix": prefix}), "names")

    def read_string(self, name: str) -> Optional[str]:
        data = self.read(name)
        return None if data is None else data.decode("utf-8")

    def write_string(self, name: str, content: str) -> None:
        self.write(name, content)

    def append_string(self, name: str, content: str) -> None:
        self.append(name, content)


def _base64(content: Union[bytes, bytearray, str]) -> str:
    data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
    return base64.b64encode(data).decode("ascii")


class ExtensionHttp:
    """HTTP for the extension's own requests (sign-in, upload sessions), through the simulated network."""

    def __init__(self, context: ExtensionContext):
        self._context = context

    def send(self, request: UploadRequest, body: Union[bytes, str] = b"") -> HttpResponse:
        """Sends a request and returns the response, whatever its status.

        :raises TransportError: no HTTP response arrived (offline, timeout, connection lost)
        """
        try:
            node = self._context._rpc("http.send", {"request": request.to_json(), "body": _base64(body)})
        except _RpcError as e:
            if e.code == ERROR_TRANSPORT:
                raise TransportError(UploadError.from_json(e.data.get("error"))) from None
            raise _unchecked(e) from None
        return HttpResponse.from_json(node)


class ExtensionLog:
    """The extension's log (``os_log``); lines land in the trace at their simulated time."""

    def __init__(self, context: ExtensionContext):
        self._context = context

    def info(self, message: str) -> None:
        self._context._call("log", {"level": "info", "message": str(message)})

    def warn(self, message: str) -> None:
        self._context._call("log", {"level": "warn", "message": str(message)})

    def error(self, message: str) -> None:
        self._context._call("log", {"level": "error", "message": str(message)})


# --- the extension and the runner --------------------------------------------------------------

class UploadExtension:
    """What :func:`run` hosts (subclassing is optional: any object with these methods will do).

    The same instance serves every call of one simulated process; a killed or ended process
    gets a new instance (memory lost, only ``context.storage`` survives).
    """

    def process_jobs(self, context: ExtensionContext) -> ProcessingResult:
        """One round of job work: retry, acknowledge, create, then answer."""
        raise NotImplementedError

    def will_terminate(self) -> None:
        """The system is about to end the process; may arrive while ``process_jobs`` runs (on
        another thread). Set a flag the processing loop polls and return at once."""


def _class_name(kind: type) -> str:
    module = getattr(kind, "__module__", "")
    name = getattr(kind, "__qualname__", getattr(kind, "__name__", str(kind)))
    return name if module in ("builtins", "__main__", "") else "%s.%s" % (module, name)


def _failure(error: BaseException, what: str) -> _RpcError:
    """The error answer for an exception that ended a call of the extension."""
    if isinstance(error, ProcessKilled):
        return _RpcError(ERROR_KILLED, str(error) or "process killed by the system")
    if isinstance(error, RecursionError):
        return _RpcError(ERROR_CRASHED, "%s: stack overflow" % what, {"reason": "stack overflow (%s)" % error})
    if isinstance(error, MemoryError):
        return _RpcError(ERROR_CRASHED, "%s: out of memory" % what, {"reason": "out of memory (MemoryError)"})
    if isinstance(error, SystemExit):
        return _RpcError(ERROR_CRASHED, "%s: sys.exit(%s)" % (what, error.code),
                         {"reason": "the extension called sys.exit(%s)" % (error.code,)})
    message = str(error)
    exception = _class_name(type(error)) + (": " + message if message else "")
    return _RpcError(ERROR_THREW, "%s: %s" % (what, exception), {"exception": exception})


class _Serial:
    """One named thread that runs submitted functions in order (a generation's main or notifier)."""

    def __init__(self, name: str):
        self._queue: List[Callable[[], None]] = []
        self._ready = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    def submit(self, work: Callable[[], None]) -> None:
        with self._ready:
            self._queue.append(work)
            self._ready.notify()

    def stop(self) -> None:
        with self._ready:
            self._stopped = True
            self._ready.notify()

    def _loop(self) -> None:
        while True:
            with self._ready:
                while not self._queue and not self._stopped:
                    self._ready.wait()
                if not self._queue:
                    return
                work = self._queue.pop(0)
            work()


class _Generation:
    def __init__(self, number: int):
        self.number = number
        self.main = _Serial("upcert-ext-%d-main" % number)
        self.notifier = _Serial("upcert-ext-%d-notify" % number)
        self.instance: Any = None


class _Runner:
    """Serves the harness's requests for one process: launch, processJobs, willTerminate, exit."""

    def __init__(self, factory: Callable[[], Any]):
        self._factory = factory
        self._process: Optional[_Process] = None
        self._generation: Optional[_Generation] = None

    def serve(self, channel: str) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(channel)
        connection = _Connection(sock, self._closed)
        self._process = _Process(connection)
        # The harness may send its first request before its answer to the hello: serve at once.
        connection.start(self._handle)
        hello = {"protocol": PROTOCOL_VERSION, "client": CLIENT_NAME, "language": "python", "pid": os.getpid()}
        try:
            welcome = connection.call("hello", hello)
        except (_RpcError, _Closed) as e:
            sys.stderr.write("upcert_extension: the harness refused the hello: %s\n" % e)
            _exit(2)
        epoch = _parse_instant(welcome.get("epoch", "1970-01-01T00:00:00Z") if isinstance(welcome, dict)
                               else "1970-01-01T00:00:00Z")
        self._process.clock._set_epoch(epoch)
        threading.Event().wait()  # the reader thread ends the process when the harness closes the socket

    def _closed(self, reason: str) -> None:
        _exit(0)

    def _handle(self, request_id: Any, method: str, params: Any) -> None:
        connection = self._process.connection  # type: ignore[union-attr]
        if not isinstance(params, dict):
            connection.reply(request_id, error=_RpcError(ERROR_INVALID_PARAMS, "%s: params must be an object" % method))
            return
        try:
            if method == "launch":
                self._launch(request_id, params)
            elif method == "processJobs":
                self._process_jobs(request_id, params)
            elif method == "willTerminate":
                self._will_terminate(request_id)
            elif method == "exit":
                connection.reply(request_id, self._exit_generation())
            else:
                connection.reply(request_id, error=_RpcError(ERROR_METHOD_NOT_FOUND, "no method " + method))
        except ValueError as e:
            connection.reply(request_id, error=_RpcError(ERROR_INVALID_PARAMS, "%s: %s" % (method, e)))

    def _launch(self, request_id: Any, params: dict) -> None:
        number = _integer(params, "generation")
        if self._generation is not None:
            self._exit_generation()
        generation = _Generation(number)
        self._generation = generation
        connection = self._process.connection  # type: ignore[union-attr]

        def work() -> None:
            try:
                generation.instance = self._factory()
                connection.reply(request_id, {"extension": _class_name(type(generation.instance))})
            except BaseException as e:  # noqa: B902 - every failure is the answer
                connection.reply(request_id, error=_failure(e, "the extension could not be created"))
        generation.main.submit(work)

    def _running(self) -> _Generation:
        generation = self._generation
        if generation is None or generation.instance is None:
            raise ValueError("no extension is launched")
        return generation

    def _process_jobs(self, request_id: Any, params: dict) -> None:
        generation = self._running()
        process = self._process
        assert process is not None
        context = ExtensionContext(process, _integer(params, "activation"), _text(params, "uploadUrlBase"),
                                   _strings(params.get("configuration"), "configuration"), _text(params, "os"))

        def work() -> None:
            try:
                result = generation.instance.process_jobs(context)
                if isinstance(result, str) and result in ProcessingResult.__members__:
                    result = ProcessingResult[result]
                if result is not None and not isinstance(result, ProcessingResult):
                    raise TypeError("process_jobs returned %r, not a ProcessingResult" % (result,))
                context._flush_lookups()
                context._end()
                process.connection.reply(request_id, None if result is None else result.name)
            except BaseException as e:  # noqa: B902 - every failure is the answer
                context._end()
                process.connection.reply(request_id, error=_failure(e, "processJobs threw"))
        generation.main.submit(work)

    def _will_terminate(self, request_id: Any) -> None:
        generation = self._running()
        connection = self._process.connection  # type: ignore[union-attr]

        def work() -> None:
            try:
                generation.instance.will_terminate()
                connection.reply(request_id, None)
            except BaseException as e:  # noqa: B902 - every failure is the answer
                connection.reply(request_id, error=_failure(e, "willTerminate threw"))
        generation.notifier.submit(work)

    def _exit_generation(self) -> dict:
        """Ends the generation; reports the extension's own threads still alive."""
        generation = self._generation
        self._generation = None
        if generation is not None:
            generation.main.stop()
            generation.notifier.stop()
        ours = ("upcert-protocol-reader", "upcert-ext-")
        left = [t.name for t in threading.enumerate()
                if t is not threading.main_thread() and t.is_alive() and not t.name.startswith(ours)]
        return {"threadsLeft": len(left), "threads": left[:10]}


def _exit(status: int) -> None:
    """Ends the process at once, whatever threads the extension left running."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - exiting anyway
            pass
    os._exit(status)


def run(extension_factory: Callable[[], Any]) -> None:
    """Connects to upcert (``UPCERT_CHANNEL``), says hello and serves until upcert closes the
    connection; then the process exits, whatever threads are left.

    :param extension_factory: makes a new extension instance for each simulated launch (a
        class with a no-argument constructor will do); the instance has ``process_jobs(context)``
        and ``will_terminate()``
    """
    channel = os.environ.get(ENV_CHANNEL)
    if not channel:
        sys.stderr.write("upcert_extension: %s is not set. This is an upcert extension; run it with\n"
                         "  ./upcert certify --extension-cmd \"python3 %s\"\n"
                         % (ENV_CHANNEL, sys.argv[0] if sys.argv and sys.argv[0] else "my_extension.py"))
        sys.exit(2)
    try:
        _Runner(extension_factory).serve(channel)
    except OSError as e:
        sys.stderr.write("upcert_extension: cannot connect to %s: %s\n" % (channel, e))
        traceback.print_exc()
        _exit(2)
    _exit(0)
