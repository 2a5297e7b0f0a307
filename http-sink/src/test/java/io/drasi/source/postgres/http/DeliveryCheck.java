package io.drasi.source.postgres.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Checks what a {@link FakeDrasiHttpSource} received against the changes that were sent: every POST carries
 * a contiguous run of the expected events, starting either right after the previous POST's run (the
 * previous one was acknowledged) or at the previous POST's start (a retry of it, or the first half of a
 * split); the runs cover every expected event, in order. Hence: commit order kept, nothing lost, and a
 * duplicate can only come from a POST that was re-posted.
 */
public final class DeliveryCheck {

    private DeliveryCheck() {}

    /**
     * @param requests what the server saw
     * @param expected the keys of the expected events, in order (unique)
     * @param key      key of a received event (e.g. {@code JsonNode::toString})
     * @return a list of problems, empty when delivery was exact
     */
    public static List<String> problems(
            List<FakeDrasiHttpSource.Request> requests, List<String> expected, Function<JsonNode, String> key) {
        List<String> problems = new ArrayList<>();
        if (new HashSet<>(expected).size() != expected.size()) {
            problems.add("expected keys are not unique");
        }
        int prevStart = 0;
        int prevLen = 0;
        int covered = 0;
        Set<String> appliedKeys = new HashSet<>();
        for (int i = 0; i < requests.size(); i++) {
            FakeDrasiHttpSource.Request r = requests.get(i);
            List<String> body = r.events().stream().map(key).toList();
            if (body.isEmpty()) {
                problems.add("request " + i + " is empty");
                continue;
            }
            int next = prevStart + prevLen;
            int start;
            if (matches(expected, next, body)) {
                start = next;
            } else if (matches(expected, prevStart, body)) {
                start = prevStart;
            } else {
                problems.add("request " + i + " (" + body.size() + " events, first " + body.get(0)
                        + ") is neither the next run at " + next + " nor a repeat from " + prevStart);
                return problems;
            }
            for (JsonNode a : r.applied()) {
                if (!body.contains(key.apply(a))) {
                    problems.add("request " + i + " applied an event it did not carry");
                }
                appliedKeys.add(key.apply(a));
            }
            prevStart = start;
            prevLen = body.size();
            covered = Math.max(covered, start + body.size());
        }
        if (covered != expected.size()) {
            problems.add("requests covered " + covered + " of " + expected.size() + " expected events");
        }
        for (String k : expected) {
            if (!appliedKeys.contains(k)) {
                problems.add("never applied: " + k);
                break;
            }
        }
        return problems;
    }

    private static boolean matches(List<String> expected, int start, List<String> body) {
        return start + body.size() <= expected.size()
                && expected.subList(start, start + body.size()).equals(body);
    }
}
