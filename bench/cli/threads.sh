#!/usr/bin/env bash
# CPU per thread of `drasi-pg stream` (default config) over SECS at RATE tx/s, after a JIT warm-up (12 s at
# 1000 tx/s): separates the source's threads from the JIT compiler's, which dominate short runs.
#   PGPORT=... bench/cli/threads.sh NAME path/to/drasi-pg.jar RATE SECS ["extra: yaml"]
source "$(dirname "$0")/common.sh"
NAME=$1; RATE=$3; SECS=$4; start "$NAME" "$2" "${5:-}"
sleep 15
java -cp "$PGJDBC" "$HERE/Lat.java" $PORT 1000 12 "$D/out" > /dev/null; sleep 5
(java -cp "$PGJDBC" "$HERE/Lat.java" $PORT $RATE $((SECS + 6)) "$D/out" > "$D/lat.txt") & LP=$!
sleep 4
snap() { for t in /proc/$PID/task/*; do echo "$(basename $t) $(awk '{print $14+$15}' $t/stat 2>/dev/null) $(tr ' ' _ < $t/comm)"; done; }
snap > "$D/a"; sleep $SECS; snap > "$D/b"; jstack $PID > "$D/js" 2>/dev/null
wait $LP; stop "$NAME" > /dev/null
python3 - "$D" <<'PY'
import sys, re
d = sys.argv[1]
a = dict(l.split()[:2] for l in open(d + '/a') if len(l.split()) == 3)
b = dict(l.split()[:2] for l in open(d + '/b') if len(l.split()) == 3)
names = {l.split()[0]: l.split()[2] for l in open(d + '/b') if len(l.split()) == 3}  # comm (15 chars), if jstack fails
for l in open(d + '/js'):
    m = re.match(r'^"([^"]+)".*nid=(0x[0-9a-f]+)', l)
    if m: names[str(int(m.group(2), 16))] = m.group(1)
rows = sorted(((int(b[t]) - int(a.get(t, 0)), re.sub(r'\d+$', 'N', names.get(t, 'tid' + t))) for t in b), reverse=True)
for ticks, name in rows[:8]:
    if ticks > 0: print('   %5d %s' % (ticks, name[:60]))
jit = sum(t for t, n in rows if 'Compiler' in n)
print('   ticks: total %d, without the JIT compiler %d; %s' % (sum(t for t, _ in rows), sum(t for t, _ in rows) - jit, open(d + '/lat.txt').read().strip()))
PY
