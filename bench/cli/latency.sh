#!/usr/bin/env bash
# commit -> line on stdout of `drasi-pg stream` (default config) at RATES (rate:seconds ..., default 1:20 20:15
# 200:10 1000:10), after a 5000-change warm-up at 1000 tx/s; the CLI's CPU per rate; the time SIGTERM takes.
#   PGPORT=... bench/cli/latency.sh NAME path/to/drasi-pg.jar ["extra: yaml"]
source "$(dirname "$0")/common.sh"
NAME=$1; start "$NAME" "$2" "${3:-}"
sleep 15
echo "== $NAME ${3:-} (load $(cut -d' ' -f1-3 /proc/loadavg))"
java -cp "$PGJDBC" "$HERE/Lat.java" $PORT 1000 5 "$D/out" > /dev/null
for rs in ${RATES:-1:20 20:15 200:10 1000:10}; do set -- ${rs/:/ }
  a=$(cpu_ticks); t0=$(date +%s%N)
  r=$(java -cp "$PGJDBC" "$HERE/Lat.java" $PORT $1 $2 "$D/out")
  b=$(cpu_ticks); t1=$(date +%s%N)
  echo "$r cli_cpu=$(python3 -c "print('%.1f%%' % (($b-$a)/$(getconf CLK_TCK)/(($t1-$t0)/1e9)*100))")"; sleep 1
done
stop "$NAME"
