import java.io.*;
import java.sql.*;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.*;

/** Latency harness (bench/cli/latency.sh): java Lat.java PORT RATE SECONDS OUTFILE — tails the CLI's stdout file (one JSON line per change),
 * inserts single-row autocommit transactions at RATE/s into public.t, and measures commit-return -> line-seen. */
public class Lat {
    public static void main(String[] a) throws Exception {
        int port = Integer.parseInt(a[0]); int rate = Integer.parseInt(a[1]); int secs = Integer.parseInt(a[2]);
        File out = new File(a[3]);
        int n = rate * secs;
        ConcurrentHashMap<Long, Long> committed = new ConcurrentHashMap<>();
        ConcurrentHashMap<Long, Long> arrived = new ConcurrentHashMap<>();
        Pattern p = Pattern.compile(a.length > 4 ? a[4] : "\"v\":(\\d+)");
        Thread tail = new Thread(() -> {
            try (RandomAccessFile f = new RandomAccessFile(out, "r")) {
                f.seek(f.length());
                StringBuilder sb = new StringBuilder();
                byte[] buf = new byte[1 << 16];
                while (!Thread.currentThread().isInterrupted()) {
                    int r = f.read(buf);
                    if (r <= 0) { LockSupport.parkNanos(100_000); continue; }   // 0.1 ms file polling
                    long now = System.nanoTime();
                    for (int i = 0; i < r; i++) {
                        char c = (char) buf[i];
                        if (c == '\n') { Matcher m = p.matcher(sb); if (m.find()) arrived.putIfAbsent(Long.parseLong(m.group(1)), now); sb.setLength(0); }
                        else sb.append(c);
                    }
                }
            } catch (IOException e) { throw new UncheckedIOException(e); }
        });
        tail.setDaemon(true); tail.start();
        Thread.sleep(200);
        long vbase = (System.currentTimeMillis() % 20000) * 100000;
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
             PreparedStatement ps = c.prepareStatement("insert into t(v, ts) values (?, 0)")) {
            long period = 1_000_000_000L / rate; long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                long due = t0 + i * period;
                long w; while ((w = due - System.nanoTime()) > 0) LockSupport.parkNanos(w);
                ps.setInt(1, (int) (vbase + i)); ps.executeUpdate();
                committed.put(vbase + i, System.nanoTime());
            }
        }
        long end = System.nanoTime() + 5_000_000_000L;
        while (arrived.size() < n && System.nanoTime() < end) Thread.sleep(20);
        int warm = Math.min(n / 10, rate * 2);  // drop first 2 s (or 10 %) as warm-up
        List<Double> l = new ArrayList<>();
        for (int i = warm; i < n; i++) { Long cm = committed.get(vbase + i), ar = arrived.get(vbase + i); if (cm != null && ar != null) l.add((ar - cm) / 1e6); }
        Collections.sort(l);
        int missing = n - warm - l.size();
        System.out.printf(Locale.ROOT, "rate=%d n=%d missing=%d p50=%.2f p90=%.2f p99=%.2f max=%.2f "
                + "ms%n", rate, l.size(), missing,
                q(l, .5), q(l, .9), q(l, .99), l.isEmpty() ? Double.NaN : l.get(l.size() - 1));
    }
    static double q(List<Double> l, double f) { return l.isEmpty() ? Double.NaN : l.get(Math.min(l.size() - 1, (int) (f * l.size()))); }
}
