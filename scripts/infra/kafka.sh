#!/usr/bin/env bash
# A project-owned single-node Apache Kafka broker (KRaft, combined broker+controller) on loopback.
#
#   scripts/infra/kafka.sh fetch    resolve the broker jars from Maven Central once (cached)
#   scripts/infra/kafka.sh start    start in the background and wait until it answers (no-op if running)
#   scripts/infra/kafka.sh stop     SIGTERM, wait for exit, SIGKILL after a deadline
#   scripts/infra/kafka.sh status   exit 0 when running, 3 when not
#
# Environment: KAFKA_PORT (19092), KAFKA_CONTROLLER_PORT (19093), KAFKA_DATA_DIR (.data/kafka),
# KAFKA_HEAP_OPTS (-Xmx384m -XX:+UseSerialGC), KAFKA_START_TIMEOUT / KAFKA_STOP_TIMEOUT (seconds).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
KAFKA_VERSION=3.9.1
LIBS_DIR="$ROOT/.cache/kafka-libs/$KAFKA_VERSION"
KAFKA_PORT="${KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-19093}"
DATA_DIR="${KAFKA_DATA_DIR:-$ROOT/.data/kafka}"
DATA_DIR="$(realpath -m "$DATA_DIR")"
PID_FILE="$DATA_DIR/kafka.pid"
HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xmx384m -XX:+UseSerialGC}"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"

# kill -0 also succeeds on a zombie; a zombie has exited.
alive() { kill -0 "$1" 2>/dev/null && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat" 2>/dev/null; }

say() { echo "[kafka] $*" >&2; }
die() { echo "[kafka] error: $*" >&2; exit 1; }

java_bin() {
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then echo "$JAVA_HOME/bin/java"; else command -v java || true; fi
}

require_java() {
  local java major
  java="$(java_bin)"
  [[ -n "$java" ]] || die "Java 17+ not found: apt-get install openjdk-17-jre-headless"
  major="$("$java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1)"
  [[ "${major:-0}" -ge 17 ]] || die "Java 17+ not found (found ${major:-unknown} at $java): apt-get install openjdk-17-jre-headless"
  JAVA="$java"
}

fetch() {
  if [[ -f "$LIBS_DIR/.complete" ]]; then return 0; fi
  command -v mvn >/dev/null || die "mvn not found: apt-get install maven"
  require_java
  # Test runs may start at once: one resolves, the others wait for it.
  mkdir -p "$(dirname "$LIBS_DIR")"
  exec 9>"$LIBS_DIR.lock"
  flock 9
  if [[ -f "$LIBS_DIR/.complete" ]]; then exec 9>&-; return 0; fi
  say "resolving Kafka $KAFKA_VERSION jars from Maven Central into ${LIBS_DIR#"$ROOT"/} (first run only)"
  local tmp="$LIBS_DIR.tmp.$$"
  rm -rf "$tmp"
  if ! mvn -q -B -Dstyle.color=never -f "$ROOT/infra/kafka/pom.xml" \
      org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$tmp" >"$tmp.log" 2>&1; then
    cat "$tmp.log" >&2
    rm -rf "$tmp" "$tmp.log"
    die "maven could not resolve the Kafka jars (see above)"
  fi
  rm -f "$tmp.log"
  rm -rf "$LIBS_DIR"
  mv "$tmp" "$LIBS_DIR"
  touch "$LIBS_DIR/.complete"
  exec 9>&-
  say "resolved $(ls "$LIBS_DIR" | wc -l) jars"
}

# The pid in the pid file, if that process is alive and is this data dir's broker.
running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE")"
  [[ "$pid" =~ ^[0-9]+$ ]] && alive "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "kafka.Kafka $DATA_DIR/server.properties" || return 1
  echo "$pid"
}

write_config() {
  mkdir -p "$DATA_DIR/logs"
  cat >"$DATA_DIR/server.properties" <<EOF
# Written by scripts/infra/kafka.sh; rewritten on every start.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA_DIR/kraft-logs
num.partitions=1
default.replication.factor=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=2
log.segment.bytes=1048576
EOF
  cat >"$DATA_DIR/log4j.properties" <<'EOF'
# Warnings to the console (kafka.out), everything at INFO to logs/server.log.
log4j.rootLogger=INFO, stdout, file
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.Threshold=WARN
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File=${kafka.logs.dir}/server.log
log4j.appender.file.MaxFileSize=10MB
log4j.appender.file.MaxBackupIndex=2
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
EOF
}

start() {
  local pid
  if pid="$(running_pid)"; then
    say "already running (pid $pid, 127.0.0.1:$KAFKA_PORT)"
    return 0
  fi
  fetch
  require_java
  write_config
  local log4j="-Dlog4j.configuration=file:$DATA_DIR/log4j.properties" logs="-Dkafka.logs.dir=$DATA_DIR/logs"
  if [[ ! -f "$DATA_DIR/kraft-logs/meta.properties" ]]; then
    # A cluster id is 16 random bytes in unpadded base64url, which is what `StorageTool random-uuid` prints.
    # It may start with "-", so it is passed as --cluster-id=<id>, never as a separate argument.
    local cluster_id
    cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
    "$JAVA" -Xmx128m "$log4j" "$logs" -cp "$LIBS_DIR/*" kafka.tools.StorageTool \
      format --cluster-id="$cluster_id" -c "$DATA_DIR/server.properties" >"$DATA_DIR/format.out" 2>&1 \
      || { cat "$DATA_DIR/format.out" >&2; die "storage format failed"; }
  fi
  say "starting on 127.0.0.1:$KAFKA_PORT (controller $KAFKA_CONTROLLER_PORT, data ${DATA_DIR#"$ROOT"/})"
  local started
  started=$(date +%s%3N)
  # setsid: the broker outlives this script and ignores the terminal's Ctrl-C; without job control
  # bash does not fork again, so $! is the java process itself.
  # shellcheck disable=SC2086
  setsid "$JAVA" $HEAP_OPTS -Djava.awt.headless=true "$log4j" "$logs" -cp "$LIBS_DIR/*" \
    kafka.Kafka "$DATA_DIR/server.properties" </dev/null >"$DATA_DIR/kafka.out" 2>&1 &
  pid=$!
  echo "$pid" >"$PID_FILE"
  if ! node "$ROOT/scripts/infra/wait-for-kafka.js" --brokers "127.0.0.1:$KAFKA_PORT" \
      --pid "$pid" --timeout "$((START_TIMEOUT * 1000))"; then
    tail -n 30 "$DATA_DIR/kafka.out" "$DATA_DIR/logs/server.log" >&2 2>/dev/null || true
    stop
    die "broker did not become ready"
  fi
  say "ready in $(($(date +%s%3N) - started)) ms (pid $pid)"
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    say "not running"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while alive "$pid" && ((SECONDS < deadline)); do sleep 0.2; done
  if alive "$pid"; then
    say "still running after ${STOP_TIMEOUT}s, sending SIGKILL to $pid"
    kill -KILL "$pid" 2>/dev/null || true
    while alive "$pid"; do sleep 0.1; done
  fi
  rm -f "$PID_FILE"
  say "stopped (pid $pid)"
}

status() {
  local pid
  if pid="$(running_pid)"; then
    echo "running pid=$pid port=$KAFKA_PORT data=$DATA_DIR"
  else
    echo "stopped data=$DATA_DIR"
    return 3
  fi
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 fetch|start|stop|status" >&2; exit 2 ;;
esac
