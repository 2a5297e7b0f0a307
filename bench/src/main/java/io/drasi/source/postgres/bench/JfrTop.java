package io.drasi.source.postgres.bench;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Aggregates {@code jdk.ExecutionSample} events of a JFR recording: top frames by self samples, top
 * {@code io.drasi} methods by inclusive samples, and the share of samples per package group. Args:
 * {@code recording.jfr [threadNameContains]}.
 */
public final class JfrTop {

    private JfrTop() {}

    public static void main(String[] args) throws Exception {
        String thread = args.length > 1 ? args[1] : "";
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> ours = new HashMap<>();
        Map<String, Integer> groups = new HashMap<>();
        int total = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(args[0]))) {
            if (!e.getEventType().getName().equals("jdk.ExecutionSample")) {
                continue;
            }
            String tn = e.getThread("sampledThread") == null
                    ? ""
                    : e.getThread("sampledThread").getJavaName();
            if (tn == null || !tn.contains(thread)) {
                continue;
            }
            RecordedStackTrace st = e.getStackTrace();
            if (st == null || st.getFrames().isEmpty()) {
                continue;
            }
            total++;
            List<RecordedFrame> frames = st.getFrames();
            String top = name(frames.get(0));
            self.merge(top, 1, Integer::sum);
            groups.merge(group(frames), 1, Integer::sum);
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (RecordedFrame f : frames) {
                String n = name(f);
                if (n.startsWith("io.drasi.") && seen.add(n)) {
                    ours.merge(n, 1, Integer::sum);
                }
            }
        }
        System.out.println("samples=" + total + (thread.isEmpty() ? "" : " thread~" + thread));
        print("top self frames", self, total, 25);
        print("io.drasi methods, inclusive", ours, total, 20);
        print("samples by the innermost io.drasi / io.debezium / org.postgresql / other caller", groups, total, 10);
    }

    private static String name(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    /** Attributes a sample to the innermost frame of a known code base. */
    private static String group(List<RecordedFrame> frames) {
        for (RecordedFrame f : frames) {
            String n = f.getMethod().getType().getName();
            if (n.startsWith("io.drasi.")) {
                return "io.drasi (ours)";
            }
            if (n.startsWith("io.debezium.")) {
                return "io.debezium";
            }
            if (n.startsWith("org.postgresql.")) {
                return "org.postgresql (pgjdbc)";
            }
            if (n.startsWith("org.apache.kafka.")) {
                return "org.apache.kafka (connect)";
            }
        }
        return "other (JDK only)";
    }

    private static void print(String title, Map<String, Integer> counts, int total, int limit) {
        System.out.println("== " + title);
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(limit)
                .forEach(en -> System.out.printf(
                        java.util.Locale.ROOT,
                        "%6.1f%% %6d  %s%n",
                        100.0 * en.getValue() / Math.max(1, total),
                        en.getValue(),
                        en.getKey()));
    }
}
