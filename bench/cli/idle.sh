#!/usr/bin/env bash
# CPU of an idle `drasi-pg stream` (default config): 15 s after start, CPU time over 60 s, as % of one core.
#   PGPORT=... bench/cli/idle.sh NAME path/to/drasi-pg.jar ["extra: yaml; keys: here"]
source "$(dirname "$0")/common.sh"
NAME=$1; start "$NAME" "$2" "${3:-}"
sleep ${WARM:-15}
a=$(cpu_ticks); t0=$(date +%s.%N); sleep ${DUR:-60}; b=$(cpu_ticks); t1=$(date +%s.%N)
threads=$(ls /proc/$PID/task | wc -l)
python3 -c "print('$NAME idle cpu%% = %.2f  (ticks %d over %.1f s, threads %s, load %s)' % (($b-$a)/$(getconf CLK_TCK)/($t1-$t0)*100, $b-$a, $t1-$t0, '$threads', open('/proc/loadavg').read().split()[0]))"
stop "$NAME" > /dev/null
