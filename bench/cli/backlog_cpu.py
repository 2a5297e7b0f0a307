#!/usr/bin/env python3
# CPU per thread of one whole process draining a backlog, started as bench/run's cli scenario starts it (issue 19):
#   PGPORT=... CP="bench/target/classes:$(cat bench/target/bench-classpath.txt)" \
#     bench/cli/backlog_cpu.py LABEL SLOT cli|dbz|dbzjson [extra java options...]
# env: N changes to wait for (500000), JAR=drasi-pg.jar to run `java -jar` instead of -cp, YAML extra source keys,
# RUN_DIR (bench/target/cli-run). The backlog: table bench_cli + publication bench_cli_pub and slots created before
# the writes, e.g. `python3 bench/cli/backlog_workload.py bench_cli 500000 | PGOPTIONS='-c synchronous_commit=off'
# psql -h 127.0.0.1 -p $PGPORT -U postgres` (BenchRun.write's workload). Prints wall, process CPU (wait4), load and
# the CPU seconds of the top threads (from /proc/<pid>/task/*/stat every 100 ms, digits of names folded to N).
import os, sys, time, subprocess, re, collections, tempfile, json
label, slot, variant = sys.argv[1:4]; extra = sys.argv[4:]
P = os.environ['PGPORT']; N = os.environ.get('N', '500000')
java = os.environ.get('JAVA', '/usr/lib/jvm/temurin-25-jdk-amd64/bin/java'); cp = os.environ.get('CP', '')
rd = os.environ.get('RUN_DIR', 'bench/target/cli-run'); os.makedirs(rd, exist_ok=True); d = tempfile.mkdtemp(dir=rd)
if variant == 'cli':
    cfg = os.path.join(d, 'source.yaml')
    open(cfg, 'w').write("source_type: postgres\nproperties:\n  host: 127.0.0.1\n  port: %s\n  database: postgres\n  user: postgres\n  password: ''\n  ssl_mode: disable\n  tables: [bench_cli]\n  slot_name: %s\n  publication_name: bench_cli_pub\n%s" % (P, slot, os.environ.get('YAML', '')))
    main = ['io.drasi.source.postgres.cli.DrasiPg', 'stream', '--config', cfg, '--format', 'seed', '--max-changes', N, '--offsets', os.path.join(d, 'pg.offsets')]
else:
    main = ['io.drasi.source.postgres.bench.DebeziumDefaultsMain', '127.0.0.1', P, 'postgres', 'postgres', '', 'bench_cli', slot, 'bench_cli_pub', N] + (['json'] if variant == 'dbzjson' else [])
cmd = [java, '-Xmx512m'] + extra + (['-jar', os.environ['JAR']] + main[1:] if os.environ.get('JAR') else ['-cp', cp] + main)
load = open('/proc/loadavg').read().split()[0]
t0 = time.time()
p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=open(os.path.join(d, 'err'), 'w'))
ticks = {}
while True:
    try:
        for t in os.listdir('/proc/%d/task' % p.pid):
            try:
                st = open('/proc/%d/task/%s/stat' % (p.pid, t)).read()
                name = st[st.index('(')+1:st.rindex(')')]; f = st[st.rindex(')')+2:].split()
                ticks[t] = (re.sub(r'\d+$', 'N', name), int(f[11]) + int(f[12]))
            except Exception: pass
    except Exception: pass
    r = os.waitpid(p.pid, os.WNOHANG)
    if r[0]: break
    time.sleep(0.1)
wall = time.time() - t0
import resource as R
u = R.getrusage(R.RUSAGE_CHILDREN)
cpu = u.ru_utime + u.ru_stime
agg = collections.Counter()
for t, (n, k) in ticks.items(): agg[n] += k / 100
code = os.WEXITSTATUS(r[1])
top = ' '.join('%s=%.1f' % (n, s) for n, s in agg.most_common(9))
print('%s variant=%s slot=%s exit=%d wall=%.2f cpu=%.2f load=%s rate=%.0f | %s' % (label, variant, slot, code, wall, cpu, load, int(N)/wall, top), flush=True)
