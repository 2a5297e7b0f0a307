package io.drasi.source.postgres.it.bootstrap;

import io.drasi.source.postgres.core.Lsn;
import io.drasi.source.postgres.testing.PostgresServer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test helper: consumes a pgoutput slot through {@code pg_logical_slot_get_binary_changes} and decodes
 * the protocol-v1 messages we need (Begin, Relation, Insert, Update, Delete, Commit) — a stand-in
 * for the streaming engine, so hand-over can be tested without Debezium.
 */
final class PgOutputChanges {

    enum Op {
        INSERT,
        UPDATE,
        DELETE
    }

    /** One row change; {@code values} = new tuple (insert/update) or key/old tuple (delete), as text. */
    record Change(Op op, String schema, String table, Map<String, String> values) {}

    /** One committed transaction with its commit end LSN. */
    record Tx(long xid, Lsn finalLsn, Lsn commitEndLsn, List<Change> changes) {}

    private PgOutputChanges() {}

    static List<Tx> consume(PostgresServer db, String slot, String publication) throws SQLException {
        List<Tx> out = new ArrayList<>();
        Map<Integer, String[]> relations = new HashMap<>(); // relid -> [schema, table, col1, col2...]
        try (Connection c = db.connect();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT data FROM pg_logical_slot_get_binary_changes(?, NULL, NULL, 'proto_version', '1',"
                                + " 'publication_names', ?)")) {
            ps.setString(1, slot);
            ps.setString(2, publication);
            try (ResultSet rs = ps.executeQuery()) {
                long xid = 0;
                Lsn finalLsn = null;
                List<Change> changes = null;
                while (rs.next()) {
                    ByteBuffer b = ByteBuffer.wrap(rs.getBytes(1));
                    char type = (char) b.get();
                    switch (type) {
                        case 'B' -> {
                            finalLsn = Lsn.of(b.getLong());
                            b.getLong();
                            xid = Integer.toUnsignedLong(b.getInt());
                            changes = new ArrayList<>();
                        }
                        case 'C' -> {
                            b.get();
                            b.getLong();
                            Lsn end = Lsn.of(b.getLong());
                            out.add(new Tx(xid, finalLsn, end, changes));
                            changes = null;
                        }
                        case 'R' -> {
                            int relid = b.getInt();
                            String ns = cstring(b);
                            String rel = cstring(b);
                            b.get();
                            int n = b.getShort();
                            String[] r = new String[n + 2];
                            r[0] = ns;
                            r[1] = rel;
                            for (int i = 0; i < n; i++) {
                                b.get();
                                r[i + 2] = cstring(b);
                                b.getInt();
                                b.getInt();
                            }
                            relations.put(relid, r);
                        }
                        case 'I' -> {
                            String[] r = relations.get(b.getInt());
                            b.get(); // 'N'
                            changes.add(new Change(Op.INSERT, r[0], r[1], tuple(b, r)));
                        }
                        case 'U' -> {
                            String[] r = relations.get(b.getInt());
                            char k = (char) b.get();
                            if (k == 'K' || k == 'O') {
                                tuple(b, r);
                                k = (char) b.get();
                            }
                            changes.add(new Change(Op.UPDATE, r[0], r[1], tuple(b, r)));
                        }
                        case 'D' -> {
                            String[] r = relations.get(b.getInt());
                            b.get(); // 'K' or 'O'
                            changes.add(new Change(Op.DELETE, r[0], r[1], tuple(b, r)));
                        }
                        default -> {
                            // Y (type), O (origin), T (truncate): not produced by these tests
                        }
                    }
                }
            }
        }
        return out;
    }

    private static Map<String, String> tuple(ByteBuffer b, String[] rel) {
        int n = b.getShort();
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            char kind = (char) b.get();
            switch (kind) {
                case 'n' -> m.put(rel[i + 2], null);
                case 'u' -> {}
                case 't' -> {
                    byte[] v = new byte[b.getInt()];
                    b.get(v);
                    m.put(rel[i + 2], new String(v, StandardCharsets.UTF_8));
                }
                default -> throw new IllegalStateException("tuple kind " + kind);
            }
        }
        return m;
    }

    private static String cstring(ByteBuffer b) {
        int start = b.position();
        while (b.get() != 0) {
            // scan to NUL
        }
        return new String(b.array(), start, b.position() - start - 1, StandardCharsets.UTF_8);
    }
}
