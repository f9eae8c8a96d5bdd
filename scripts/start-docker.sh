#!/usr/bin/env bash
# Starts a Docker engine for upcert's container sandbox (--sandbox container) and its tests
# (org.upcert.harness.host.container: without an engine they report SKIPPED, never passed).
#
#   scripts/start-docker.sh        # as root (or with sudo); .ci/run calls it before the build
#
# Idempotent: an engine that already answers `docker info` is left alone. Bounded: waits at most
# UPCERT_DOCKER_WAIT seconds (default 60) for the engine to answer. Exits 0 once an engine answers,
# 1 with the reason otherwise. Installs Debian's docker.io first if there is no dockerd.
#
# The flags: the sandbox only runs `--network none` containers and pulls nothing, so the engine
# gets no bridge and leaves the host's firewall alone (--bridge=none --iptables=false
# --ip6tables=false). Storage is overlay2 where the kernel allows it, else vfs (slower, works
# anywhere). The engine's log: UPCERT_DOCKERD_LOG (default /tmp/upcert-dockerd.log).
set -u

wait_seconds=${UPCERT_DOCKER_WAIT:-60}
log=${UPCERT_DOCKERD_LOG:-/tmp/upcert-dockerd.log}
pidfile=/var/run/docker.pid
flags=(--bridge=none --iptables=false --ip6tables=false)

say() { echo "start-docker: $*"; }
answers() { command -v docker >/dev/null 2>&1 && timeout 10 docker info >/dev/null 2>&1; }
server_version() { docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?'; }
engine_pid() {
  local pid
  pid=$(cat "$pidfile" 2>/dev/null) && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# Waits until the engine answers (0), its process is gone (1) or the time is up (2).
await_engine() {
  local pid=$1 deadline=$2
  while [ "$(date +%s)" -lt "$deadline" ]; do
    answers && return 0
    kill -0 "$pid" 2>/dev/null || engine_pid >/dev/null || return 1
    sleep 1
  done
  answers && return 0
  return 2
}

start_engine() {
  echo "--- $(date -u +%FT%TZ) dockerd ${flags[*]} $*" >>"$log"
  setsid nohup dockerd "${flags[@]}" "$@" </dev/null >>"$log" 2>&1 &
  echo $!
}

if answers; then
  say "a Docker engine already answers (server $(server_version)); nothing to do"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  say "no Docker engine answers, and starting one needs root: sudo $0"
  exit 1
fi
if ! command -v dockerd >/dev/null 2>&1; then
  if ! command -v apt-get >/dev/null 2>&1; then
    say "no dockerd and no apt-get: install a Docker engine by hand"
    exit 1
  fi
  say "installing Debian's docker.io"
  if ! (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io) >>"$log" 2>&1; then
    say "apt-get install docker.io failed; see $log"
    exit 1
  fi
fi

deadline=$(( $(date +%s) + wait_seconds ))
if pid=$(engine_pid); then
  say "dockerd ($pid) is already starting; waiting for it"
else
  pid=$(start_engine)
fi
await_engine "$pid" "$deadline"
status=$?
if [ "$status" -eq 1 ] && grep -qiE 'storage.driver|overlay|graphdriver' <(tail -n 30 "$log"); then
  say "dockerd could not use its default storage driver; trying vfs"
  pid=$(start_engine --storage-driver=vfs)
  await_engine "$pid" "$deadline"
  status=$?
fi
case "$status" in
  0) say "Docker engine running (server $(server_version), dockerd pid $(engine_pid || echo "$pid"), log $log)"; exit 0 ;;
  1) say "dockerd exited before it answered; the end of $log:" ;;
  *) say "no answer from dockerd within ${wait_seconds} s; the end of $log:" ;;
esac
tail -n 15 "$log" | sed 's/^/  /'
exit 1
