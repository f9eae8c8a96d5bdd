#!/usr/bin/env python3
"""A hostile extension command (H28): speaks the protocol by hand, so it can abuse it, and attacks
upcert in the way ``sys.argv[1]`` names at every ``processJobs`` (``ignore-notice``: never answers
``willTerminate``; ``none``: a command that only answers). Used by HostileCommandsTest.

Each attack either breaks the protocol (the harness must end the connection and judge the process
crashed) or tries to exhaust something (processes, memory, disk, output, the harness's patience).
Every attack is bounded here too, so that a harness that fails to stop it still costs a test
machine little: at most 1,000 processes, 3 GiB of memory, 2 GiB of disk, 64 MiB of stderr.
Standard library only.
"""

import base64
import json
import mmap
import os
import signal
import socket
import sys
import threading
import time

ATTACK = sys.argv[1] if len(sys.argv) > 1 else "none"

sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
sock.connect(os.environ["UPCERT_CHANNEL"])
reader = sock.makefile("rb")
lock = threading.Lock()
next_id = [0]


def send_raw(data: bytes):
    with lock:
        sock.sendall(data)


def send(message: dict):
    send_raw(json.dumps(message, separators=(",", ":")).encode() + b"\n")


def request(method: str, params: dict) -> int:
    next_id[0] += 1
    send({"jsonrpc": "2.0", "id": next_id[0], "method": method, "params": params})
    return next_id[0]


def answer(message_id, result):
    send({"jsonrpc": "2.0", "id": message_id, "result": result})


def read_message():
    line = reader.readline()
    if not line:
        os._exit(0)
    return json.loads(line)


def wait_answer(request_id):
    """Reads until the answer to request_id arrives (the harness sends nothing else meanwhile here)."""
    while True:
        message = read_message()
        if message.get("id") == request_id and ("result" in message or "error" in message):
            return message


def log(call: int, text: str):
    """Says text in the run's trace (a log line): the only way out of the command's read-only view."""
    wait_answer(request("log", {"call": call, "level": "warn", "message": text}))


def attack(call: int, message_id):
    """Runs the attack inside processJobs; returns the result to answer, or None to answer nothing."""
    if ATTACK == "long-line":
        # 1 GiB with no newline, in 1 MiB pieces: the harness must stop reading at its 64 MiB limit
        piece = b"x" * (1 << 20)
        send_raw(b'{"jsonrpc":"2.0","id":99,"method":"log","params":{"call":%d,"level":"info","message":"' % call)
        try:
            for _ in range(1024):
                send_raw(piece)
        except OSError:
            pass
        time.sleep(60)
    elif ATTACK == "deep-json":
        depth = 200_000
        send_raw(b'{"jsonrpc":"2.0","id":99,"method":"log","params":{"call":%d,"level":"info","message":' % call
                 + b"[" * depth + b"]" * depth + b"}}\n")
        time.sleep(60)
    elif ATTACK == "huge-number":
        send_raw(b'{"jsonrpc":"2.0","id":99,"method":"library.jobLimit","params":{"call":' + b"9" * 100_000 + b"}}\n")
        time.sleep(60)
    elif ATTACK == "huge-id":
        send_raw(b'{"jsonrpc":"2.0","id":1e999999999,"method":"library.jobLimit","params":{"call":%d}}\n' % call)
        send_raw(b'{"jsonrpc":"2.0","id":' + str(message_id).encode() + b',"result":"PROCESSING"}\n')
        time.sleep(60)
    elif ATTACK == "invalid-utf8":
        send_raw(b'{"jsonrpc":"2.0","id":99,"method":"log","params":{"call":%d,"level":"info","message":"\xff\xfe\xc0"}}\n' % call)
        time.sleep(60)
    elif ATTACK == "nul-bytes":
        send_raw(b'{"jsonrpc":"2.0","id":99,"method":"log","params":{"call":%d,"level":"info","message":"a\x00b"}}\n' % call)
        time.sleep(60)
    elif ATTACK == "unsolicited-reply":
        answer(4242, "COMPLETED")
        time.sleep(60)
    elif ATTACK == "forged-result":
        # a result the harness does not know, with members claiming a verdict and a virtual time
        send({"jsonrpc": "2.0", "id": message_id, "result": {"verdict": "CERTIFIED", "result": "COMPLETED"},
              "t": 0, "nextJob": 1, "verdict": "PASS"})
        time.sleep(60)
    elif ATTACK == "notification":
        # requests without an id: performed, never answered; one the harness cannot perform
        for params in ({"call": call, "level": "info", "message": "a notification"},
                       {"call": call, "level": "loud", "message": "no such level"},
                       {"call": "not a number"},
                       [1, 2, 3]):
            send({"jsonrpc": "2.0", "method": "log", "params": params})
        send({"jsonrpc": "2.0", "method": "storage.write", "params": {"call": call, "name": "x", "data": "%%%"}})
        send({"jsonrpc": "2.0", "method": "library.performChanges", "params": {"call": call, "changes": [{"op": 7}]}})
        send({"jsonrpc": "2.0", "method": "library.performChanges", "params": {"call": call, "changes": 7}})
        answer(message_id, "COMPLETED")
        return None
    elif ATTACK == "duplicate-ids":
        for _ in range(3):
            send({"jsonrpc": "2.0", "id": 7, "method": "library.jobLimit", "params": {"call": call}})
        time.sleep(2)
        return "COMPLETED"
    elif ATTACK == "named-flood" and call != 1:
        return "COMPLETED"
    elif ATTACK == "named-flood":
        # (in the first call only) extension-named text the harness quotes in its trace: api names of
        # changes outside a block and sandbox reports, each distinct and 20,000 characters long (about
        # 30 MB in all): the trace must quote a bounded prefix of a bounded number of them. (A method
        # after the return is refused under the name of a known method only: no flood there.)
        pad = "n" * 20_000
        for i in range(1200):
            wait_answer(request("library.changesOutsideBlock", {"call": call, "api": "%d%s" % (i, pad)}))
        for i in range(300):
            wait_answer(request("sandbox.violation", {"call": call, "kind": "k%d%s" % (i, pad), "what": "w%d%s" % (i, pad)}))
        return "COMPLETED"
    elif ATTACK == "tiny-flood":
        # 25,000 tiny API calls as fast as the protocol goes (at 2 ms of simulated time each, 50 s: under
        # the runtime limit), then PROCESSING, at every call: nothing crashes, hangs or is killed
        for _ in range(25_000):
            wait_answer(request("storage.read", {"call": call, "name": "flood"}))
        return "PROCESSING"
    elif ATTACK == "after-return":
        answer(message_id, "COMPLETED")
        for _ in range(5):
            request("storage.write", {"call": call, "name": "late", "data": base64.b64encode(b"late").decode()})
        return None
    elif ATTACK == "fork-bomb":
        children = 0
        for _ in range(1000):
            try:
                pid = os.fork()
            except OSError:
                break
            if pid == 0:
                try:
                    os.execv("/bin/sleep", ["sleep", "600"])
                finally:
                    os._exit(0)
            children += 1
        log(call, "forked %d" % children)
        time.sleep(60)
    elif ATTACK == "memory-bomb":
        hoard = []
        try:
            for _ in range(48):  # 48 x 64 MiB = 3 GiB at most: private memory, mapped at once, touched as needed
                hoard.append(mmap.mmap(-1, 64 << 20, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS))
        finally:
            log(call, "held %d MiB" % (64 * len(hoard)))
        time.sleep(60)
    elif ATTACK == "disk-fill":
        written = 0
        path = os.path.join(os.environ.get("TMPDIR", "/tmp"), "fill")
        try:
            with open(path, "wb") as out:
                piece = b"\0" * (16 << 20)
                for _ in range(128):  # 2 GiB at most
                    out.write(piece)
                    out.flush()
                    written += len(piece)
        except OSError as e:
            log(call, "wrote %d bytes: %s" % (written, e))
            raise
        log(call, "wrote %d bytes" % written)
    elif ATTACK == "stderr-flood":
        line = b"y" * 1023 + b"\n"
        for _ in range(64 * 1024):  # 64 MiB
            os.write(2, line)
        return "COMPLETED"
    elif ATTACK == "threads":
        started = 0
        try:
            for _ in range(5000):
                threading.Thread(target=time.sleep, args=(600,), daemon=True).start()
                started += 1
        except RuntimeError:
            pass
        log(call, "threads %d" % started)
        time.sleep(60)
    elif ATTACK == "close-stdio":
        for fd in (0, 1, 2):
            os.close(fd)
        return "COMPLETED"
    elif ATTACK == "ignore-sigterm":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        while True:
            time.sleep(1)
    elif ATTACK == "sigstop":
        os.kill(os.getpid(), signal.SIGSTOP)
        return "COMPLETED"
    elif ATTACK == "inherited-fds":
        # every descriptor but the protocol's socket and stdio: none should be upcert's
        listed = sorted(int(fd) for fd in os.listdir("/proc/self/fd") if int(fd) > 2 and int(fd) != sock.fileno())
        found = [fd for fd in listed if os.path.exists("/proc/self/fd/%d" % fd)]  # not the listing's own
        for fd in found:
            try:
                os.write(fd, b'{"jsonrpc":"2.0","id":1,"result":"COMPLETED"}\n')
            except OSError:
                pass
        log(call, "descriptors %s" % found)
        return "COMPLETED"
    elif ATTACK == "never-reads":
        # asks for the whole library 64 times and never reads an answer: upcert's answers fill the
        # socket, and whichever upcert thread writes them waits; only the kill of the hung call ends it
        for _ in range(64):
            request("library.fetchAssets", {"call": call})
        time.sleep(60)
    elif ATTACK.startswith("result-"):
        # processJobs answered with a value of the wrong shape (H53): never a ProcessingResult
        shapes = {"result-number": 2, "result-padded": "COMPLETED ", "result-lower": "completed",
                  "result-array": ["COMPLETED"], "result-object": {"result": "COMPLETED"}, "result-true": True,
                  # 48 MB of a wrong answer, under the 64 MiB bound of a message: quoted whole in the crash's reason?
                  "result-huge": ["x" * 1000] * 48_000}
        send({"jsonrpc": "2.0", "id": message_id, "result": shapes[ATTACK]})
        time.sleep(60)
    elif ATTACK == "duplicate-keys":
        # the same member twice: a reader that keeps the first would see FAILURE, Jackson the last
        send_raw(b'{"jsonrpc":"2.0","id":%d,"result":"FAILURE","result":"COMPLETED"}\n' % message_id)
        return None
    elif ATTACK == "error-and-result":
        send_raw(b'{"jsonrpc":"2.0","id":%d,"result":"COMPLETED","error":{"code":1,"message":"x"}}\n' % message_id)
        return None
    elif ATTACK == "answer-twice":
        answer(message_id, "PROCESSING")
        answer(message_id, "COMPLETED")
        return None
    elif ATTACK == "nan":
        send_raw(b'{"jsonrpc":"2.0","id":%d,"result":NaN}\n' % message_id)
        time.sleep(60)
    elif ATTACK == "unpaired-surrogate":
        # JSON's escape makes half a surrogate pair: a string no UTF-8 file can hold
        send_raw(b'{"jsonrpc":"2.0","id":90,"method":"log","params":{"call":%d,"level":"warn","message":"half \\ud800 here"}}\n' % call)
        send_raw(b'{"jsonrpc":"2.0","id":91,"method":"storage.write","params":{"call":%d,"name":"half-\\udfff","data":"AQ=="}}\n' % call)
        time.sleep(1)
        raise RuntimeError("thrown \ud800")
    elif ATTACK == "unfinished-line":
        send_raw(b'{"jsonrpc":"2.0","id":%d,"result":"COMPLETED"' % message_id)
        os._exit(0)
    elif ATTACK == "environment":
        # what upcert's environment tells the extension (H53): only names, never values, in the trace
        log(call, "environment %s" % " ".join(sorted(os.environ)))
        # and what else tells it that it runs under upcert, not on a device
        processes = [p for p in os.listdir("/proc") if p.isdigit()]
        log(call, "pid %d ppid %d uid %d host %s processes %d cwd %s tmp %s monotonic %.1f" % (
            os.getpid(), os.getppid(), os.getuid(), socket.gethostname(), len(processes), os.getcwd(),
            os.environ.get("TMPDIR"), time.monotonic()))
        return "COMPLETED"
    elif ATTACK == "launch-count":
        # what the names around a launch tell it about the launches before it (its scratch folder,
        # its socket, the folder holding both): before, scratch-<n> and p<n>.sock counted them
        tmp = os.environ.get("TMPDIR", "")
        try:
            siblings = sorted(os.listdir(os.path.dirname(tmp)))
        except OSError as e:
            siblings = ["unreadable: %s" % e.strerror]
        log(call, "tmp %s channel %s siblings %s" % (os.path.basename(tmp),
            os.path.basename(os.environ.get("UPCERT_CHANNEL", "")), " ".join(siblings)))
        return "COMPLETED"
    elif ATTACK == "escapes-the-kill":
        # a grandchild in a session of its own, holding the protocol's socket, that writes to storage
        # after processJobs returned and its process was killed (TRM-04 must see it, or it must die)
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                for n in range(600):
                    time.sleep(0.5)
                    try:
                        send({"jsonrpc": "2.0", "id": 10_000 + n, "method": "storage.write",
                              "params": {"call": call, "name": "escaped-%d" % n, "data": "AQ=="}})
                    except OSError:
                        os._exit(0)
            os._exit(0)
        return "COMPLETED"
    elif ATTACK == "kill-parent":
        for pid in (os.getppid(), 1):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        return "COMPLETED"
    return "COMPLETED"


# hello, then serve the harness until the connection closes
hello = request("hello", {"protocol": 1, "client": "hostile", "language": "python", "pid": os.getpid()})
while True:
    message = read_message()
    method = message.get("method")
    if method == "launch":
        answer(message["id"], {"extension": "Hostile-" + ATTACK})
    elif method == "processJobs":
        result = attack(message["params"]["activation"], message["id"])
        if result is not None:
            answer(message["id"], result)
    elif method == "willTerminate":
        if ATTACK != "ignore-notice":  # ignore-notice: answers every call, never willTerminate
            answer(message["id"], None)
    elif method == "exit":
        answer(message["id"], {"threadsLeft": 0})
