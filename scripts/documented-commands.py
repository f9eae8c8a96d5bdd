#!/usr/bin/env python3
"""Runs every command the README and docs/ show in a code block, the way a reader would type it.

DocumentedCommandsTest (in `./mvnw verify`) checks that every documented `./upcert` line parses; this
script runs them, through the real `./upcert` launcher, in the order a reader meets them, so a
documented command that fails, hangs, or needs a file nobody said to make cannot survive in the docs.
CI runs it after `./mvnw verify` (.ci/run).

Every documented command must be classified in RULES below (first match wins); one that is not
fails the run, so a new command in the docs is either run here or has a written reason it is not.
Placeholders the docs use (`my.jar`, `my-extension.jar`, `my_extension.py`, `my.yaml`, `TRACE.jsonl`, …)
are made in a scratch folder first (PLACEHOLDERS). Where the documented command would take many
minutes (a ten-minute exploration budget, the full benchmark, 3 seeds of every profile) it runs
scaled down by the options in its rule, printed next to it: the same command and code path, less work.

Usage: python3 scripts/documented-commands.py [--list] [--only TEXT]
  --list       print the documented commands and how each is handled, run nothing
  --only REGEX run only the commands matching REGEX (their setup steps too)
Exit 0 when every command ran as expected, 1 otherwise. Standard library only.
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Sequence

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = ROOT / "target" / "documented-commands"
WORK = SCRATCH / "work"  # the reader's folder: ./upcert and the placeholders live here
TIMEOUT_S = 600  # a bound on every command: a hang is a failure, never a stuck CI


@dataclass
class Rule:
    """How a documented command is run. `pattern` is a regex searched in the joined command."""
    pattern: str
    expect: Sequence[int] = (0,)  # exit codes that mean "worked as documented"
    replace: Sequence[tuple] = ()  # (old, new) substitutions in the command: scaling, placeholders
    append: str = ""  # options appended: scaling
    setup: Sequence[str] = ()  # commands run first (their exit codes are not judged)
    output: str = ""  # a regex the command's output must contain (besides the exit code)
    skip: Optional[str] = None  # not run here, and why (where it is covered instead)
    why: str = ""  # why it is scaled


# First match wins. Scaling keeps the documented command and adds bounds; a reason is printed.
SCALE_CERTIFY = "--seeds 1 --explore 1"
RULES: List[Rule] = [
    # --- commands that run elsewhere, for a stated reason
    Rule(r"^\./mvnw verify", skip="CI's own test command (.ci/run runs it before this script)"),
    Rule(r"^\./mvnw -q install -DskipTests|^git clone <upcert>",
         skip="installs into ~/.m2; AuthorProjectIT installs upcert's modules (maven-invoker-plugin:install) "
              "and builds a scaffolded project against them"),
    Rule(r"^\./mvnw deploy ", skip="needs the team's repository manager; the same artifacts are installed "
                                  "by `./mvnw install`, which AuthorProjectIT exercises"),
    Rule(r"^cd \.\./my-extension && mvn verify",
         skip="AuthorProjectIT: builds a project made by `upcert init` green (sample) and red (mutant)"),
    Rule(r"^WINDOW_SIZE=", skip="needs headless Chromium; TimelineScreenshotTest runs the same script"),
    Rule(r"^\./mvnw -o -q -B -pl conformance-tests -am test -Dtest=TimelineOfAFailureTest",
         skip="a test of `./mvnw verify` (TimelineOfAFailureTest)"),
    Rule(r"^python3 scripts/documented-commands\.py", skip="this script"),
    # --- Maven commands run as written (offline: the build's dependencies are already here)
    Rule(r"^\./mvnw -pl harness -am test -Dtest=", append="-o -q -B"),
    # --- certify
    Rule(r"^\./upcert certify --extension my\.jar --corpus", expect=(1,), append=SCALE_CERTIFY,
         setup=["./upcert explore --extension my.jar --seeds 2 --shrink-runs 0 --quiet"],
         why="my.jar is a mutant (JOB-03): NOT_CERTIFIED"),
    Rule(r"^\./upcert certify --extension my-extension\.jar --corpus", append=SCALE_CERTIFY,
         setup=["./upcert explore --extension my.jar --seeds 2 --shrink-runs 0 --quiet"],
         why="the corpus holds what exploring the mutant my.jar found; the sample passes it"),
    Rule(r"^\./upcert certify --extension-cmd", append="--seeds 1 --explore 0",
         why="the Python reference takes ~3 min in full; CI certifies it in full (.ci/run)"),
    Rule(r"^\./upcert certify --profiles explore:", expect=(1,), output=r"INCOMPLETE .* 0 FAIL, \d+ NOT_APPLICABLE, [1-9]\d* NOT_EXERCISED"),
    Rule(r"^\./upcert certify", append=SCALE_CERTIFY),
    # --- exploration and the debugging story (my.jar fails JOB-03 on flaky-network seed 1)
    Rule(r"^\./upcert explore --extension my\.jar", expect=(1,), replace=[("--budget 10m", "--budget 20s"),
                                                                             ("--seeds 200", "--seeds 3"),
                                                                             ("--budget 5m", "--budget 20s")],
         append="--shrink-runs 5", why="my.jar fails many rules; each finding is shrunk, here by at most 5 runs"),
    Rule(r"^\./upcert explore ", replace=[("--budget 10m", "--budget 20s"), ("--seeds 200", "--seeds 3"),
                                         ("--budget 5m", "--budget 20s")]),
    Rule(r"^\./upcert replay target/upcert/certify/traces/flaky-network-seed1",
         setup=["./upcert certify --extension my.jar --profiles flaky-network --seeds 1 --quiet"]),
    Rule(r"^\./upcert shrink ", append="--max-runs 30", why="fewer runs: the same shrink, stopped at the best so far"),
    Rule(r"^\./upcert timeline TRACE\.jsonl", replace=[("TRACE.jsonl", "target/upcert/run-1/trace.jsonl")],
         setup=["./upcert run --profile flaky-network --seed 1 --out target/upcert/run-1"]),
    # --- the rest run as written
    Rule(r"^\./upcert bench --skip", append="--quick", why="the full benchmark takes ~10 min"),
    Rule(r"^\./upcert bench --quick", append="--skip certify,explore,heap", why="CI runs it whole (.ci/run)"),
    Rule(r"^\./upcert bench", append="--quick --skip certify,explore,heap", why="the full benchmark takes ~10 min"),
    Rule(r"^\./upcert init \.\./my-extension", setup=["rm -rf ../my-extension"]),
    Rule(r"^\./upcert (explain|profiles|run|timeline) "),
]


@dataclass
class Documented:
    where: str
    command: str
    rule: Optional[Rule] = None
    notes: List[str] = field(default_factory=list)


def strip_comment(line: str) -> str:
    """The line without a trailing shell comment (a `#` after a space, outside quotes)."""
    quote = ""
    for i, c in enumerate(line):
        if quote:
            if c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c == "#" and i > 0 and line[i - 1] == " ":
            return line[:i].rstrip()
    return line.rstrip()


COMMAND_START = re.compile(r"^(\./upcert |\./mvnw |mvn |cd |git clone |WINDOW_SIZE=|python3 scripts/)")


def documented_commands() -> List[Documented]:
    files = [ROOT / "README.md"] + sorted((ROOT / "docs").glob("*.md"))
    found: List[Documented] = []
    for file in files:
        lines = file.read_text(encoding="utf-8").splitlines()
        in_code = False
        i = 0
        while i < len(lines):
            line = lines[i].strip()
            if line.startswith("```"):
                in_code = not in_code
            elif in_code and COMMAND_START.match(line):
                at = i + 1
                command = strip_comment(line)
                while command.endswith("\\") and i + 1 < len(lines):
                    i += 1
                    command = command[:-1].rstrip() + " " + strip_comment(lines[i].strip())
                found.append(Documented(f"{file.relative_to(ROOT)}:{at}", command))
            i += 1
    for documented in found:
        documented.rule = next((r for r in RULES if re.search(r.pattern, documented.command)), None)
    return found


def effective(documented: Documented) -> str:
    rule = documented.rule
    command = documented.command
    for old, new in rule.replace:
        command = command.replace(old, new)
    if rule.append:
        # options go before a `&&` chain's end or at the end of the command
        command = command + " " + rule.append
    return command


def make_placeholders() -> None:
    """The files the docs' commands name as the reader's own."""
    if SCRATCH.exists():
        shutil.rmtree(SCRATCH)
    WORK.mkdir(parents=True)
    (WORK / "upcert").write_text(f'#!/usr/bin/env bash\nexec "{ROOT}/upcert" "$@"\n', encoding="utf-8")
    (WORK / "upcert").chmod(0o755)
    (WORK / "mvnw").symlink_to(ROOT / "mvnw")  # `./mvnw` commands run in upcert's own folder (see run())
    samples = sorted((ROOT / "sample-extension" / "target").glob("sample-extension-*.jar"))
    if not samples:
        sys.exit("documented-commands: no sample-extension jar; build first: ./mvnw -q -o package -pl conformance-tests -am -DskipTests")
    sample = samples[0]
    (WORK / "build").mkdir()
    for name in ("build/my-extension.jar", "my-extension.jar"):
        shutil.copy(sample, WORK / name)
    mutant_jar(sample, WORK / "my.jar")
    (WORK / "clients").symlink_to(ROOT / "clients")
    python = ROOT / "clients" / "python"
    shutil.copy(python / "examples" / "reference_extension.py", WORK / "my_extension.py")
    shutil.copy(python / "upcert_extension.py", WORK / "upcert_extension.py")
    profile = ROOT / "fault-profiles" / "src" / "main" / "resources" / "org" / "upcert" / "profiles" / "flaky-network.yaml"
    if not profile.exists():
        profile = next((ROOT / "fault-profiles" / "src" / "main" / "resources").rglob("flaky-network.yaml"))
    for name in ("my-profile.yaml", "my.yaml", "other.yaml"):
        shutil.copy(profile, WORK / name)


def mutant_jar(sample: Path, out: Path) -> None:
    """`my.jar` in the debugging story fails JOB-03: the sample wrapped by Mutants.RetriesSpentJobs
    (conformance-tests' test classes), packed as an author would ship it."""
    mutants = ROOT / "conformance-tests" / "target" / "test-classes" / "org" / "upcert" / "conformance" / "mutants"
    if not (mutants / "Mutants$RetriesSpentJobs.class").exists():
        sys.exit(f"documented-commands: {mutants} has no compiled mutants; build first: ./mvnw -q -o test-compile -pl conformance-tests -am")
    with zipfile.ZipFile(sample) as source, zipfile.ZipFile(out, "w") as jar:
        for item in source.infolist():
            if not item.filename.startswith("META-INF/services/"):
                jar.writestr(item, source.read(item.filename))
        for cls in sorted(list(mutants.glob("Mutants*.class")) + list(mutants.glob("SampleMutant*.class"))):
            jar.write(cls, "org/upcert/conformance/mutants/" + cls.name)
        jar.writestr("META-INF/services/org.upcert.api.UploadExtension",
                     "org.upcert.conformance.mutants.Mutants$RetriesSpentJobs\n")


def run(command: str, log) -> tuple:
    """Runs one shell command in the reader's folder (upcert's own for ./mvnw); returns (exit code, seconds)."""
    cwd = ROOT if command.startswith("./mvnw") else WORK
    log.write(f"\n$ {command}\n")
    log.flush()
    started = time.monotonic()  # elapsed time is reported, never judged
    try:
        done = subprocess.run(["bash", "-c", command], cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, timeout=TIMEOUT_S)
        code = done.returncode
    except subprocess.TimeoutExpired:
        log.write(f"\n[timed out after {TIMEOUT_S} s]\n")
        code = -1
    return code, time.monotonic() - started


def tail(path: Path, lines: int = 25) -> str:
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def main(argv: List[str]) -> int:
    listing = "--list" in argv
    only = argv[argv.index("--only") + 1] if "--only" in argv else None
    commands = documented_commands()
    unclassified = [d for d in commands if d.rule is None]
    for d in unclassified:
        print(f"UNCLASSIFIED {d.where}: {d.command}\n  add a rule for it in scripts/documented-commands.py", file=sys.stderr)
    if listing:
        for d in commands:
            if d.rule is None:
                continue
            how = f"skip: {d.rule.skip}" if d.rule.skip else f"run: {effective(d)}"
            print(f"{d.where}\n  {d.command}\n  {how}")
        return 1 if unclassified else 0
    make_placeholders()
    failed: List[str] = []
    ran = skipped = 0
    for index, d in enumerate(commands, 1):
        if d.rule is None or (only and not re.search(only, d.command)):
            continue
        if d.rule.skip:
            print(f"skip  {d.where:28} {d.command}\n      ({d.rule.skip})")
            skipped += 1
            continue
        log_path = SCRATCH / f"{index:03d}.log"
        with open(log_path, "w", encoding="utf-8") as log:
            for step in d.rule.setup:
                run(step, log)
            command = effective(d)
            code, seconds = run(command, log)
        ran += 1
        ok = code in d.rule.expect
        if ok and d.rule.output:
            ok = re.search(d.rule.output, log_path.read_text(encoding="utf-8", errors="replace")) is not None
            if not ok:
                code = f"{code}, output without /{d.rule.output}/"
        scaled = command != d.command
        print(f"{'ok  ' if ok else 'FAIL'}  {d.where:28} {seconds:6.1f} s  exit {code}  {d.command}"
              + (f"\n      ran as: {command}" + (f"  ({d.rule.why})" if d.rule.why else "") if scaled else ""))
        sys.stdout.flush()
        if not ok:
            failed.append(f"{d.where}: {command}: exit {code}, expected {list(d.rule.expect)} (log {log_path})")
            print(tail(log_path), file=sys.stderr)
    print(f"\n{ran} documented commands run, {skipped} covered elsewhere, {len(failed)} failed, "
          f"{len(unclassified)} unclassified; logs in {SCRATCH.relative_to(ROOT)}/")
    for line in failed:
        print("  " + line)
    return 1 if failed or unclassified else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
