package io.drasi.source.postgres.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.drasi.source.postgres.ConfigurationException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A whole drasi-server configuration file: finds the one {@code sources:} entry this source runs, at the
 * top level or under {@code instances:}, as drasi-server lays them out. Reads nothing else; the server
 * keys, {@code queries}, {@code reactions} and the other sources are ignored.
 *
 * <p>Thread-safety: stateless.
 */
final class ServerFile {

    private static final String KIND = "kind";
    private static final String ID = "id";
    private static final String POSTGRES = "postgres";

    /**
     * One {@code sources:} entry.
     *
     * @param where              where it is in the file, e.g. {@code sources[1]}
     * @param node               the entry (a mapping)
     * @param id                 its {@code id} as written, or null
     * @param kind               its {@code kind} as written, or null
     * @param bootstrapProviders the {@code bootstrapProviders:} list of the same level (file or instance),
     *                           or null
     */
    record Entry(String where, JsonNode node, String id, String kind, JsonNode bootstrapProviders) {
        String describe() {
            return (id == null ? "(no id)" : id) + " (" + (kind == null ? "no kind" : "kind " + kind) + ", " + where
                    + ")";
        }
    }

    private ServerFile() {}

    /**
     * @param root     the file's root mapping
     * @param sourceId the id asked for, or null for the only postgres entry
     * @return the entry to run
     * @throws ConfigurationException naming the ids there are when none or several match
     */
    static Entry select(JsonNode root, String sourceId) {
        List<Entry> all = new ArrayList<>();
        collect(root, "", all);
        JsonNode instances = root.get("instances");
        if (instances != null && instances.isArray()) {
            for (int i = 0; i < instances.size(); i++) {
                if (instances.get(i).isObject()) {
                    collect(instances.get(i), "instances[" + i + "].", all);
                }
            }
        }
        List<Entry> postgres =
                all.stream().filter(e -> POSTGRES.equals(e.kind())).toList();
        String pgList = postgres.isEmpty()
                ? "none"
                : postgres.stream().map(Entry::describe).collect(Collectors.joining(", "));
        if (sourceId != null) {
            List<Entry> byId = all.stream().filter(e -> sourceId.equals(e.id())).toList();
            if (byId.isEmpty()) {
                throw new ConfigurationException(List.of("the drasi-server file has no source with id '" + sourceId
                        + "'; its sources: "
                        + (all.isEmpty()
                                ? "none"
                                : all.stream().map(Entry::describe).collect(Collectors.joining(", ")))
                        + ". Pass the id of a kind: postgres source"));
            }
            if (byId.size() > 1) {
                throw new ConfigurationException(List.of("the drasi-server file has " + byId.size()
                        + " sources with id '" + sourceId + "' ("
                        + byId.stream().map(Entry::where).collect(Collectors.joining(", "))
                        + "); give each source a unique id"));
            }
            Entry e = byId.get(0);
            if (!POSTGRES.equals(e.kind())) {
                throw new ConfigurationException(List.of("source '" + sourceId + "' (" + e.where() + ") is "
                        + (e.kind() == null ? "without a kind" : "kind " + e.kind()) + "; this reads PostgreSQL sources"
                        + " only. The file's postgres sources: " + pgList));
            }
            return e;
        }
        if (postgres.size() == 1) {
            return postgres.get(0);
        }
        if (postgres.isEmpty()) {
            throw new ConfigurationException(
                    List.of("the drasi-server file has no `kind: postgres` source (its sources: "
                            + (all.isEmpty()
                                    ? "none"
                                    : all.stream().map(Entry::describe).collect(Collectors.joining(", ")))
                            + "); add one to `sources:`"));
        }
        throw new ConfigurationException(List.of("the drasi-server file has " + postgres.size()
                + " postgres sources: "
                + postgres.stream()
                        .map(e -> e.id() == null ? "(no id, " + e.where() + ")" : e.id())
                        .collect(Collectors.joining(", "))
                + "; choose one with --source-id ID (CLI) or"
                + " ConfigFiles.load(file, id) (library)"));
    }

    private static void collect(JsonNode level, String prefix, List<Entry> out) {
        JsonNode sources = level.get("sources");
        if (sources == null || !sources.isArray()) {
            return;
        }
        JsonNode providers = level.get("bootstrapProviders");
        for (int i = 0; i < sources.size(); i++) {
            JsonNode s = sources.get(i);
            if (s.isObject()) {
                out.add(new Entry(prefix + "sources[" + i + "]", s, text(s.get(ID)), text(s.get(KIND)), providers));
            }
        }
    }

    private static String text(JsonNode n) {
        return n != null && n.isValueNode() && !n.isNull() ? n.asText() : null;
    }
}
