#!/bin/sh
# Starts or stops one Spark Connect server (Spark local[2]) for a test or benchmark run, listening on
# loopback only: the gRPC port, the driver and its block manager bind 127.0.0.1 and the web UI is off.
# Restricted mode (a static setting no session can undo) refuses reflect(), java_method() and
# TRANSFORM … USING, which would let a user-written query call Java methods or run programs; shoplake
# refuses to run user-written SQL on a server without it.
#   sh scripts/spark-connect.sh start   prints sc://127.0.0.1:PORT once the server accepts connections
#   sh scripts/spark-connect.sh stop    stops the server this script started (by its recorded pid)
# SHOPLAKE_SPARK_DRIVER_MEMORY (default 2g) sizes the driver, which in local mode runs the tasks too.
set -e
cd "$(dirname "$0")/.."
ROOT=$(pwd)
STATE="$ROOT/.cache/spark-connect"
SPARK_HOME="$ROOT/.cache/pyspark/pyspark"
export SPARK_HOME

find_java_home() {
  for dir in "${JAVA_HOME:-}" /usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/java-17-openjdk-arm64 /usr/lib/jvm/openjdk-17; do
    if [ -n "$dir" ] && [ -x "$dir/bin/java" ]; then echo "$dir"; return; fi
  done
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

accepting() {
  node -e 'const c=require("net").connect(Number(process.argv[1]),"127.0.0.1");c.on("connect",()=>{c.end();process.exit(0)});c.on("error",()=>process.exit(1))' "$1"
}

start() {
  if [ ! -x "$SPARK_HOME/bin/spark-submit" ]; then
    echo "Spark is not installed: run sh scripts/spark-setup.sh" >&2
    exit 1
  fi
  stop_server
  JAVA_HOME=$(find_java_home)
  if [ -z "$JAVA_HOME" ]; then
    echo "Java 17 is missing (looked in \$JAVA_HOME and /usr/lib/jvm)" >&2
    exit 1
  fi
  export JAVA_HOME
  mkdir -p "$STATE"
  PORT=$(free_port)
  # Spark writes its scratch files and an in-memory catalog's warehouse here, never into the clone.
  export SPARK_LOCAL_DIRS="$STATE/local"
  export SPARK_LOCAL_IP=127.0.0.1
  STARTED=$(date +%s%N)
  nohup "$SPARK_HOME/bin/spark-submit" \
    --class org.apache.spark.sql.connect.service.SparkConnectServer \
    --name "shoplake Spark Connect" \
    --master 'local[2]' \
    --driver-memory "${SHOPLAKE_SPARK_DRIVER_MEMORY:-2g}" \
    --conf spark.connect.grpc.binding.address=127.0.0.1 \
    --conf "spark.connect.grpc.binding.port=$PORT" \
    --conf spark.driver.host=127.0.0.1 \
    --conf spark.driver.bindAddress=127.0.0.1 \
    --conf spark.ui.enabled=false \
    --conf spark.sql.session.timeZone=UTC \
    --conf spark.driver.extraJavaOptions=-Duser.timezone=UTC \
    --conf spark.sql.catalogImplementation=in-memory \
    --conf "spark.sql.warehouse.dir=$STATE/warehouse" \
    --conf spark.sql.shuffle.partitions=4 \
    --conf spark.sql.restrictedMode.enabled=true \
    >"$STATE/server.log" 2>&1 &
  echo $! >"$STATE/pid"
  # A cold JVM on a busy 2-core machine takes 10–30 s; give up after three minutes.
  i=0
  while ! accepting "$PORT" 2>/dev/null; do
    if ! kill -0 "$(cat "$STATE/pid")" 2>/dev/null; then
      echo "Spark Connect server exited during start-up; its log:" >&2
      tail -n 30 "$STATE/server.log" >&2
      exit 1
    fi
    i=$((i + 1))
    if [ "$i" -gt 360 ]; then
      echo "Spark Connect server did not accept connections within 180 s; see $STATE/server.log" >&2
      stop_server
      exit 1
    fi
    sleep 0.5
  done
  echo "$(( ($(date +%s%N) - STARTED) / 1000000 ))" >"$STATE/startup-ms"
  echo "sc://127.0.0.1:$PORT" | tee "$STATE/remote"
}

stop_server() {
  if [ -f "$STATE/pid" ]; then
    PID=$(cat "$STATE/pid")
    if kill "$PID" 2>/dev/null; then
      i=0
      while kill -0 "$PID" 2>/dev/null && [ "$i" -lt 60 ]; do sleep 0.5; i=$((i + 1)); done
      kill -9 "$PID" 2>/dev/null || true
    fi
    rm -f "$STATE/pid" "$STATE/remote"
  fi
}

case "$1" in
  start) start ;;
  stop) stop_server ;;
  *) echo "usage: sh scripts/spark-connect.sh start|stop" >&2; exit 2 ;;
esac
