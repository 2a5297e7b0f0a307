# Shared by the drasi-pg CLI measuring scripts in this directory (sourced). Environment:
#   PGPORT  port of a PostgreSQL on 127.0.0.1 (user postgres, trust auth, wal_level=logical) with
#           CREATE TABLE t (id bigserial PRIMARY KEY, v bigint, ts bigint)
#   RUN_DIR where runs keep their config, output and logs (default bench/target/cli-run)
set -u
JAVA_HOME=${JAVA_HOME:-$(ls -d /usr/lib/jvm/temurin-25-jdk* | head -1)}
export JAVA_HOME PATH=$JAVA_HOME/bin:$PATH
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PORT=${PGPORT:?set PGPORT to the port of the PostgreSQL to measure against}
PGJDBC=$(ls ~/.m2/repository/org/postgresql/postgresql/42.*/postgresql-42.*.jar | sort -V | tail -1)
# start NAME JAR "extra yaml (k: v;...)": drasi-pg stream on table t with the default config; sets PID and D
start() {
  local name=$1 jar=$2 extra=$3
  D=${RUN_DIR:-$HERE/../target/cli-run}/$name; rm -rf "$D"; mkdir -p "$D"
  { echo "source_type: postgres"; echo "id: $name"; echo "properties:"
    for k in "host: 127.0.0.1" "port: $PORT" "database: postgres" "user: postgres" 'password: ""' 'tables: [public.t]' \
             "slot_name: s_$name" "publication_name: p_$name"; do echo "  $k"; done
    IFS=';' read -ra kv <<< "$extra"; for k in "${kv[@]}"; do [ -n "$k" ] && echo "  $k"; done; } > "$D/cfg.yaml"
  java -jar "$jar" stream --config "$D/cfg.yaml" --offsets "$D/off" > "$D/out" 2> "$D/err" &
  PID=$!
}
cpu_ticks() { awk '{print $14+$15}' /proc/$PID/stat; }
stop() {
  local t0; t0=$(date +%s%N); kill $PID; wait $PID 2>/dev/null
  echo "stop took $(( ($(date +%s%N) - t0) / 1000000 )) ms"
  psql -qAt -h 127.0.0.1 -p $PORT -U postgres -c "select pg_drop_replication_slot('s_$1')" >/dev/null 2>&1 || true
}
