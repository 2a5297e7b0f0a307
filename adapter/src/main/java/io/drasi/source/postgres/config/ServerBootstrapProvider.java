package io.drasi.source.postgres.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.drasi.source.postgres.TableKeyConfig;
import io.drasi.source.postgres.core.SslMode;
import io.drasi.source.postgres.model.TableId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A drasi-server source's {@code bootstrapProvider}: decides whether this source can serve it.
 *
 * <p>This source bootstraps from the replication slot's exported snapshot, on the same connection
 * settings as the stream, so the bootstrap and the stream meet at one LSN (no gap, no overlap). A
 * {@code kind: postgres} provider reading the same host, port and database asks for exactly those rows
 * and is accepted; its other settings are ignored, each with the reason. One reading another database,
 * or of another kind, asks for something this source cannot deliver and is refused naming why.
 *
 * <p>The provider is inline ({@code bootstrapProvider: {kind: postgres, ...}}, inheriting every field it
 * leaves out from the source, as drasi-server merges it) or a name in the same level's
 * {@code bootstrapProviders:} (no inheritance, drasi-server's defaults apply).
 *
 * <p>Thread-safety: stateless.
 */
final class ServerBootstrapProvider {

    private static final String PATH = "bootstrapProvider";
    private static final List<ConfigKey<?>> FIELDS = List.of(
            ConfigKeys.HOST,
            ConfigKeys.PORT,
            ConfigKeys.DATABASE,
            ConfigKeys.USER,
            ConfigKeys.PASSWORD,
            ConfigKeys.TABLES,
            ConfigKeys.SLOT_NAME,
            ConfigKeys.PUBLICATION_NAME,
            ConfigKeys.SSL_MODE,
            ConfigKeys.TABLE_KEYS);

    private ServerBootstrapProvider() {}

    /**
     * Checks a provider, adding refusals to {@code problems} and accepted-but-ignored settings to
     * {@code notes}.
     *
     * @param provider  the {@code bootstrapProvider} value
     * @param source    the source entry (for inherited fields and the comparison)
     * @param wholeFile whether the source is an entry of a whole drasi-server file
     * @param providers the same level's {@code bootstrapProviders:} list, or null
     * @param env       the environment
     * @param problems  where refusals go
     * @param notes     where accepted-but-ignored settings go
     */
    static void check(
            JsonNode provider,
            JsonNode source,
            boolean wholeFile,
            JsonNode providers,
            Map<String, String> env,
            List<String> problems,
            List<String> notes) {
        int before = problems.size();
        JsonNode fields;
        boolean inherits;
        String what;
        if (provider.isTextual()) {
            String name = provider.asText();
            fields = named(name, providers);
            if (fields == null) {
                problems.add("`" + PATH + ": " + name + "` names an entry of the top-level `bootstrapProviders:` "
                        + (!wholeFile
                                ? "list, which a single source entry does not have; pass the whole"
                                        + " drasi-server file, or write the provider inline"
                                : "list, but there is none with `id: " + name
                                        + "`; add it or write the provider inline"));
                return;
            }
            inherits = false;
            what = "`" + PATH + ": " + name + "`";
        } else if (provider.isObject()) {
            fields = provider;
            inherits = true;
            what = "`" + PATH + "`";
        } else {
            problems.add("`" + PATH + "`: expected a provider mapping ({kind: postgres, ...}) or the id of a"
                    + " `bootstrapProviders:` entry, got " + KeyType.describe(provider, false));
            return;
        }
        JsonNode kindNode = fields.get("kind");
        String kind = kindNode != null && kindNode.isValueNode() ? kindNode.asText() : null;
        if (!"postgres".equals(kind)) {
            problems.add(what + " of " + (kind == null ? "no kind" : "kind " + kind) + " is not supported: "
                    + otherKind(kind));
            return;
        }
        unknownFields(fields, !inherits, problems);
        List<String> ignoredProblems = new ArrayList<>();
        KeyType.ReadContext srcCtx = new KeyType.ReadContext(env, Naming.CAMEL, ignoredProblems);
        KeyType.ReadContext ctx = new KeyType.ReadContext(env, Naming.CAMEL, problems);
        Object[] mine = new Object[FIELDS.size()];
        Object[] theirs = new Object[FIELDS.size()];
        for (int i = 0; i < FIELDS.size(); i++) {
            ConfigKey<?> k = FIELDS.get(i);
            String name = Naming.CAMEL.of(k);
            mine[i] = value(k, source.get(name), name, srcCtx);
            JsonNode own = fields.get(name);
            theirs[i] = own != null ? value(k, own, PATH + "." + name, ctx) : inherits ? mine[i] : k.defaultValue();
        }
        if (problems.size() > before) {
            return;
        }
        String sourceDb = where(mine);
        String providerDb = where(theirs);
        if (mine[0] != null
                && mine[1] != null
                && mine[2] != null
                && !(((String) mine[0]).equalsIgnoreCase((String) theirs[0])
                        && mine[1].equals(theirs[1])
                        && mine[2].equals(theirs[2]))) {
            problems.add(what + " reads " + providerDb + " but the source streams " + sourceDb + ": this source"
                    + " bootstraps from its own replication slot's snapshot of the database it streams (bootstrap and"
                    + " stream meet at one LSN), so it cannot bootstrap from another database; give the provider the"
                    + " source's host, port and database (or leave them out: an inline provider inherits them)");
            return;
        }
        notes.add(what + " (kind postgres) reads the source's own database " + sourceDb + ": served by this"
                + " source's bootstrap from its replication slot's exported snapshot, so bootstrap and stream meet at"
                + " one LSN (no gap, no overlap); it runs when a bootstrap is asked for (drasi-pg stream --bootstrap,"
                + " drasi-pg bootstrap, or bootstrap(...) in the library)");
        String why = "the bootstrap runs on the source's own connection, where its slot exports the snapshot";
        if (!Objects.equals(mine[3], theirs[3])) {
            notes.add("`" + PATH + ".user` '" + theirs[3] + "' ignored (the source's is '" + mine[3] + "'): " + why);
        }
        if (!Objects.equals(mine[4], theirs[4])) {
            notes.add("`" + PATH + ".password` ignored (differs from the source's): " + why);
        }
        ignored(
                6,
                mine,
                theirs,
                "the snapshot is exported by the source's own slot; a second slot would not be"
                        + " consistent with the stream",
                notes);
        ignored(
                7,
                mine,
                theirs,
                "the bootstrap reads the tables directly (COPY) inside the snapshot; the publication"
                        + " is the stream's",
                notes);
        ignored(8, mine, theirs, why, notes);
        tables(mine, theirs, what, problems, notes);
        ignored(
                9,
                mine,
                theirs,
                "the source's tableKeys key both the bootstrap and the stream, so their element ids" + " agree",
                notes);
    }

    private static JsonNode named(String name, JsonNode providers) {
        if (providers == null || !providers.isArray()) {
            return null;
        }
        for (JsonNode p : providers) {
            JsonNode id = p.get("id");
            if (p.isObject() && id != null && name.equals(id.asText())) {
                return p;
            }
        }
        return null;
    }

    private static String otherKind(String kind) {
        String remove = "; remove `" + PATH + "` (this source then still bootstraps from PostgreSQL when asked) or"
                + " use `kind: postgres` pointing at the source's database";
        if (kind == null) {
            return "write `kind: postgres`";
        }
        return switch (kind) {
            case "scriptfile" ->
                "this source bootstraps from its replication slot's snapshot of the database, it"
                        + " cannot load JSONL script files" + remove;
            case "platform" ->
                "this source bootstraps from its replication slot's snapshot of the database, it"
                        + " cannot ask a remote Drasi Query API" + remove;
            case "application" ->
                "this source bootstraps from its replication slot's snapshot of the database, it"
                        + " has no application-supplied data" + remove;
            case "noop" ->
                "this source bootstraps only when asked (drasi-pg stream --bootstrap, drasi-pg"
                        + " bootstrap, bootstrap(...) in the library), so for no initial data remove `" + PATH
                        + "` and do not ask";
            default -> "this source serves only `kind: postgres` bootstrap providers (from its own snapshot)" + remove;
        };
    }

    private static void unknownFields(JsonNode fields, boolean topLevel, List<String> problems) {
        Set<String> valid = new LinkedHashSet<>();
        valid.add("kind");
        if (topLevel) {
            valid.add("id");
        }
        FIELDS.forEach(k -> valid.add(Naming.CAMEL.of(k)));
        for (Map.Entry<String, JsonNode> e : fields.properties()) {
            if (!valid.contains(e.getKey())) {
                problems.add("`" + PATH + "." + e.getKey() + "` is not a field of a postgres bootstrap provider; "
                        + Suggestions.closest(e.getKey(), valid)
                                .map(s -> "did you mean `" + s + "`?")
                                .orElse("valid fields: " + String.join(", ", valid)));
            }
        }
    }

    private static Object value(ConfigKey<?> key, JsonNode node, String path, KeyType.ReadContext ctx) {
        if (node == null) {
            return key.defaultValue();
        }
        try {
            return key.type().read(node, path, key.secret(), ctx);
        } catch (KeyType.ReadFailure f) {
            if (f.getMessage() != null) {
                ctx.problems.add(f.getMessage());
            }
            return null;
        }
    }

    private static String where(Object[] v) {
        return v[0] + ":" + v[1] + "/" + v[2];
    }

    private static void ignored(int index, Object[] mine, Object[] theirs, String why, List<String> notes) {
        if (!Objects.equals(render(mine[index]), render(theirs[index]))) {
            ConfigKey<?> k = FIELDS.get(index);
            notes.add("`" + PATH + "." + Naming.CAMEL.of(k) + "` " + render(theirs[index])
                    + " ignored (the source's is " + render(mine[index]) + "): " + why);
        }
    }

    private static String render(Object v) {
        if (v instanceof List<?> l) {
            return l.stream()
                    .map(x -> x instanceof TableKeyConfig t ? t.table() + " " + t.keyColumns() : String.valueOf(x))
                    .collect(Collectors.joining(", ", "[", "]"));
        }
        return v instanceof SslMode m ? m.value() : String.valueOf(v);
    }

    @SuppressWarnings("unchecked")
    private static void tables(Object[] mine, Object[] theirs, String what, List<String> problems, List<String> notes) {
        List<String> src = (List<String>) mine[5];
        List<String> bp = (List<String>) theirs[5];
        if (src == null || bp == null) {
            return;
        }
        Set<TableId> captured = new HashSet<>();
        for (String t : src) {
            parse(t).ifPresent(captured::add);
        }
        Set<TableId> asked = new HashSet<>();
        List<String> extra = new ArrayList<>();
        for (String t : bp) {
            parse(t).ifPresent(n -> {
                asked.add(n);
                if (!captured.contains(n)) {
                    extra.add(t);
                }
            });
        }
        if (!extra.isEmpty()) {
            problems.add(what + " lists " + extra + ", which the source does not capture: this source bootstraps the"
                    + " tables it streams; add them to the source's `tables` or remove them from the provider");
        } else if (!asked.equals(captured)) {
            notes.add("`" + PATH + ".tables` " + bp + " narrower than the source's " + src + ": this source bootstraps"
                    + " every table it streams (a bootstrap request names the labels it wants)");
        }
    }

    private static java.util.Optional<TableId> parse(String t) {
        try {
            return java.util.Optional.of(TableId.parseQualified(t));
        } catch (IllegalArgumentException e) {
            return java.util.Optional.empty();
        }
    }
}
