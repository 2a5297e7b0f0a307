package io.drasi.source.postgres.bootstrap;

/**
 * The bootstrap stopped because its {@link BootstrapCancellation} was cancelled (e.g. the source was
 * closed): reading stopped, nothing of it counts as delivered, and a temporary slot it made is gone. Not a
 * failure of the database or the data.
 *
 * <p>Thread-safety: immutable once thrown.
 */
public class BootstrapCancelledException extends BootstrapException {

    private static final long serialVersionUID = 1L;

    /** @param what what was cancelled, e.g. {@code bootstrap of public.items after 1200 rows} */
    public BootstrapCancelledException(String what) {
        super(what + " was cancelled: the source is being closed; the bootstrap is incomplete and not handed over");
    }
}
