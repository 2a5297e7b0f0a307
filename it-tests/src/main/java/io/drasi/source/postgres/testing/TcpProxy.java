package io.drasi.source.postgres.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An in-process TCP proxy on 127.0.0.1 in front of a server, for network-fault tests: {@link #cut()}
 * resets every open connection and refuses new ones until {@link #restore()}; {@link #blackhole()} keeps
 * connections open but stops forwarding bytes (a silent network partition) until {@link #restore()}.
 *
 * <p>Thread-safety: all methods may be called from any thread. Close it to stop everything.
 */
public final class TcpProxy implements AutoCloseable {

    private final String targetHost;
    private final int targetPort;
    private final ServerSocket server;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean refusing = new AtomicBoolean();
    private final Object gate = new Object();
    private volatile boolean holding;
    private volatile boolean closed;

    /**
     * @param targetHost server host
     * @param targetPort server port
     */
    public TcpProxy(String targetHost, int targetPort) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        try {
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread acceptor = new Thread(this::acceptLoop, "tcp-proxy-accept-" + port());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** @return the proxy's port on 127.0.0.1 */
    public int port() {
        return server.getLocalPort();
    }

    /** Resets every open connection and refuses new ones (they are accepted and closed at once). */
    public void cut() {
        refusing.set(true);
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        sockets.clear();
    }

    /** Stops forwarding bytes on every connection, keeping them open (a silent partition). */
    public void blackhole() {
        holding = true;
    }

    /** Accepts and forwards again. */
    public void restore() {
        refusing.set(false);
        synchronized (gate) {
            holding = false;
            gate.notifyAll();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                if (refusing.get()) {
                    client.setSoLinger(true, 0);
                    client.close();
                    continue;
                }
                Socket upstream = new Socket();
                upstream.connect(new InetSocketAddress(targetHost, targetPort), 5000);
                sockets.add(client);
                sockets.add(upstream);
                pump(client, upstream);
                pump(upstream, client);
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(
                () -> {
                    byte[] buf = new byte[16384];
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        int n;
                        while ((n = in.read(buf)) >= 0) {
                            awaitGate();
                            out.write(buf, 0, n);
                            out.flush();
                        }
                    } catch (IOException | InterruptedException e) {
                        // connection closed or cut
                    } finally {
                        closeQuietly(from);
                        closeQuietly(to);
                        sockets.remove(from);
                        sockets.remove(to);
                    }
                },
                "tcp-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private void awaitGate() throws InterruptedException {
        if (!holding) {
            return;
        }
        synchronized (gate) {
            while (holding && !closed) {
                gate.wait(100);
            }
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.setSoLinger(true, 0); // RST, like a dropped network path
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() {
        closed = true;
        restore();
        try {
            server.close();
        } catch (IOException e) {
            // ignore
        }
        cut();
    }
}
