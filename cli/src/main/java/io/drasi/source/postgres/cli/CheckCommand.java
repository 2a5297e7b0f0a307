package io.drasi.source.postgres.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drasi.source.postgres.SourceDiagnostics;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "check",
        header = "Checks the database is ready: one ✓/✗ line per check with the fix.",
        description = {
            "Checks that the database is ready for the source and prints one line per check: ✓ or ✗, what was"
                    + " found and, for a failure, the fix. Changes nothing in the database.",
            "Checks: connection (server reachable), wal_level = logical, server version, REPLICATION privilege,"
                    + " free wal senders, per table (exists and has a key: primary key or table_keys; SELECT"
                    + " privilege; REPLICA IDENTITY carries the key on DELETE), free replication slots, the"
                    + " replication slot (active elsewhere? invalidated? lag in bytes), the publication.",
            "Exits 0 only when every check passes, else 1."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  drasi-pg check --config source.yaml",
            "",
            "Example output:",
            "  ✓ connection: connected to postgres@db.example.com:5432/shop",
            "  ✗ wal_level: wal_level is 'replica' but logical replication needs 'logical' — fix: run ALTER SYSTEM"
                    + " SET wal_level = logical; then restart PostgreSQL",
            "  ✓ table \"public\".\"users\": exists; key [id] from the primary key"
        })
final class CheckCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions configOptions;

    @Option(
            names = "--json",
            description = "Print one JSON object per check instead: {\"check\":..,\"ok\":..,\"detail\":..,\"fix\":..}.")
    boolean json;

    @Mixin
    CommandDefaults defaults;

    @Override
    public Integer call() {
        ConfigOptions.Loaded loaded = configOptions.load();
        if (!loaded.autoStart()) {
            System.err.println("drasi-pg check: source " + loaded.sourceId() + " has autoStart: false;"
                    + " drasi-pg stream refuses to start it without --force");
        }
        List<SourceDiagnostics.Check> checks = SourceDiagnostics.run(loaded.config());
        ObjectMapper mapper = new ObjectMapper();
        for (SourceDiagnostics.Check c : checks) {
            if (json) {
                ObjectNode o = mapper.createObjectNode();
                o.put("check", c.name());
                o.put("ok", c.ok());
                o.put("detail", c.detail());
                o.put("fix", c.fix());
                Stdout.line(o.toString());
            } else {
                Stdout.line(
                        (c.ok() ? "✓ " : "✗ ") + c.name() + ": " + c.detail() + (c.ok() ? "" : " — fix: " + c.fix()));
            }
        }
        Stdout.flush();
        long failed = checks.stream().filter(c -> !c.ok()).count();
        System.err.println(
                failed == 0
                        ? "drasi-pg check: all " + checks.size() + " checks passed"
                        : "drasi-pg check: " + failed + " of " + checks.size() + " checks failed");
        return failed == 0 ? DrasiPg.OK : DrasiPg.FAILED;
    }
}
