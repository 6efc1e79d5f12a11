package dev.downhill.parallel;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * All-reduce over TCP between ranks in a ring, each connected to the next: the buffer is cut in
 * one segment per rank; a reduce-scatter passes segments round the ring N−1 times, each rank
 * adding the one it receives to its own, until each holds one segment summed over every rank;
 * an all-gather passes the summed segments round N−1 more times. Each rank sends and receives
 * 2(N−1)/N of the buffer whatever N is, the bandwidth-optimal amount. A segment goes in chunks, a
 * thread sending while the caller receives and adds, so that neither waits for the other.
 *
 * <p>Every read waits at most the timeout: a rank that failed or hangs makes the others fail
 * with a message naming it instead of waiting for ever, so that the job's retry can start.
 */
public final class RingAllReduce implements Collective {
    /** Floats sent or received at a time: 1 MiB. */
    private static final int CHUNK = 1 << 18;

    private final int rank, worldSize;
    private final Socket next, previous;
    private final DataOutputStream toNext;
    private final InputStream fromPrevious;
    private final ExecutorService sender;
    private final Duration timeout;
    private final byte[] receiveBytes = new byte[4 * CHUNK], sendBytes = new byte[4 * CHUNK];
    /** The byte buffers as little-endian floats: the sender thread uses one, the caller the other. */
    private final FloatBuffer sendView = floats(sendBytes), receiveView = floats(receiveBytes);
    private volatile boolean aborted;

    private RingAllReduce(int rank, int worldSize, Socket next, Socket previous, Duration timeout) throws IOException {
        this.rank = rank;
        this.worldSize = worldSize;
        this.next = next;
        this.previous = previous;
        this.timeout = timeout;
        this.toNext = new DataOutputStream(next.getOutputStream());
        this.fromPrevious = previous.getInputStream();
        this.sender = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "downhill-ring-send-" + rank);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * A rank's listening socket, opened before the ranks exchange addresses (Spark's
     * {@code allGather}), so that every address exchanged already accepts connections.
     */
    public static final class Endpoint implements AutoCloseable {
        private final ServerSocket server;

        private Endpoint(ServerSocket server) {
            this.server = server;
        }

        /** Listens on a free port of {@code host}. */
        public static Endpoint open(InetAddress host) {
            try {
                ServerSocket server = new ServerSocket();
                server.bind(new InetSocketAddress(host, 0));
                return new Endpoint(server);
            } catch (IOException e) {
                throw new CollectiveException("cannot listen on " + host + ": " + e.getMessage(), e);
            }
        }

        public InetSocketAddress address() {
            return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
        }

        /**
         * Joins the ring as {@code rank} of {@code addresses} (every rank's endpoint, in rank order):
         * connects to the next rank and accepts the previous one, each saying who it is. Fails after
         * {@code timeout} without them.
         */
        public RingAllReduce join(int rank, List<InetSocketAddress> addresses, Duration timeout) {
            int n = addresses.size();
            if (rank < 0 || rank >= n) throw new IllegalArgumentException("rank " + rank + " of " + n);
            if (n == 1) throw new IllegalArgumentException("a ring needs two ranks or more; a run of one rank uses Collective.single()");
            Socket next = null, previous = null;
            try {
                next = connect(addresses.get((rank + 1) % n), timeout);
                new DataOutputStream(next.getOutputStream()).writeInt(rank);
                server.setSoTimeout(Math.toIntExact(timeout.toMillis()));
                previous = server.accept();
                previous.setSoTimeout(Math.toIntExact(timeout.toMillis()));
                int from = new DataInputStream(previous.getInputStream()).readInt();
                int expected = (rank + n - 1) % n;
                if (from != expected) throw new IOException("rank " + from + " connected where rank " + expected + " was expected");
                return new RingAllReduce(rank, n, next, previous, timeout);
            } catch (IOException e) {
                closeQuietly(next);
                closeQuietly(previous);
                throw new CollectiveException("rank " + rank + " of " + n + " could not join the ring within "
                        + timeout.toSeconds() + " s: " + e.getMessage(), e);
            }
        }

        private static Socket connect(InetSocketAddress address, Duration timeout) throws IOException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                Socket s = new Socket();
                try {
                    s.setTcpNoDelay(true);
                    s.connect(address, Math.toIntExact(Math.max(1, timeout.toMillis())));
                    return s;
                } catch (IOException e) {
                    s.close();
                    if (System.nanoTime() > deadline) throw e;
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        throw e;
                    }
                }
            }
        }

        @Override
        public void close() {
            closeQuietly(server);
        }
    }

    /**
     * A ring of {@code ranks} ranks in this process, over loopback: each joined in a thread of its own,
     * as separate processes would join. For measuring the ring, and for tests.
     */
    public static List<RingAllReduce> inProcess(int ranks, Duration timeout) {
        List<Endpoint> endpoints = new ArrayList<>();
        List<Future<RingAllReduce>> joined = new ArrayList<>();
        ExecutorService joining = Executors.newFixedThreadPool(ranks);
        try {
            for (int r = 0; r < ranks; r++) endpoints.add(Endpoint.open(InetAddress.getLoopbackAddress()));
            List<InetSocketAddress> addresses = endpoints.stream().map(Endpoint::address).toList();
            for (int r = 0; r < ranks; r++) {
                int rank = r;
                joined.add(joining.submit(() -> endpoints.get(rank).join(rank, addresses, timeout)));
            }
            List<RingAllReduce> ring = new ArrayList<>();
            for (Future<RingAllReduce> j : joined) ring.add(j.get());
            return ring;
        } catch (ExecutionException | InterruptedException e) {
            endpoints.forEach(Endpoint::close);          // the ranks still joining give up at once
            for (Future<RingAllReduce> j : joined) {
                try {
                    j.get().close();
                } catch (ExecutionException | InterruptedException failedToo) {
                    // nothing of it to close
                }
            }
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw cause instanceof CollectiveException c ? c : new CollectiveException("joining the ring failed: " + cause, cause);
        } finally {
            endpoints.forEach(Endpoint::close);
            joining.shutdownNow();
        }
    }

    @Override public int rank() { return rank; }

    @Override public int worldSize() { return worldSize; }

    @Override
    public void allReduceSum(float[] buffer) {
        int n = worldSize;
        for (int s = 0; s < n - 1; s++) {                 // reduce-scatter: add what comes round
            exchange(buffer, Math.floorMod(rank - s, n), Math.floorMod(rank - s - 1, n), true);
        }
        for (int s = 0; s < n - 1; s++) {                 // all-gather: pass the sums round
            exchange(buffer, Math.floorMod(rank + 1 - s, n), Math.floorMod(rank - s, n), false);
        }
    }

    /** Sends segment {@code out} to the next rank while receiving segment {@code in} from the previous, adding it or taking it. */
    private void exchange(float[] buffer, int out, int in, boolean add) {
        Future<?> sent = sender.submit(() -> {
            send(buffer, start(buffer, out), start(buffer, out + 1));
            return null;
        });
        try {
            receive(buffer, start(buffer, in), start(buffer, in + 1), add);
            sent.get();
        } catch (SocketTimeoutException e) {
            sent.cancel(true);
            throw failure("rank " + previousRank() + " sent nothing for " + timeout.toSeconds() + " s: it failed or stopped", e);
        } catch (IOException e) {
            sent.cancel(true);
            throw failure(aborted ? "the collective was aborted" : "the ring broke: " + e.getMessage(), e);
        } catch (ExecutionException e) {
            throw failure(aborted ? "the collective was aborted" : "sending to rank " + (rank + 1) % worldSize + " failed: "
                    + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure("interrupted", e);
        }
    }

    /** Segment i's first element: the buffer cut in worldSize near-equal parts. */
    private int start(float[] buffer, int segment) {
        return (int) ((long) buffer.length * segment / worldSize);
    }

    private void send(float[] buffer, int from, int to) throws IOException {
        for (int at = from; at < to; at += CHUNK) {
            int count = Math.min(CHUNK, to - at);
            sendView.put(0, buffer, at, count);
            toNext.write(sendBytes, 0, 4 * count);
        }
        toNext.flush();
    }

    private void receive(float[] buffer, int from, int to, boolean add) throws IOException {
        for (int at = from; at < to; at += CHUNK) {
            int count = Math.min(CHUNK, to - at);
            if (fromPrevious.readNBytes(receiveBytes, 0, 4 * count) != 4 * count) {
                throw new IOException("rank " + previousRank() + " closed the connection");
            }
            if (add) {
                for (int i = 0; i < count; i++) buffer[at + i] += receiveView.get(i);
            } else {
                receiveView.get(0, buffer, at, count);
            }
        }
    }

    private static FloatBuffer floats(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    }

    private int previousRank() {
        return (rank + worldSize - 1) % worldSize;
    }

    private CollectiveException failure(String why, Throwable cause) {
        abort();
        return new CollectiveException("rank " + rank + " of " + worldSize + ": all-reduce failed: " + why, cause);
    }

    /** Closes the connections: this rank's collective fails, and its neighbours' fail on the broken connections. */
    @Override
    public void abort() {
        aborted = true;
        closeQuietly(next);
        closeQuietly(previous);
    }

    @Override
    public void close() {
        abort();
        sender.shutdownNow();
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) return;
        try {
            c.close();
        } catch (Exception ignored) {
            // closing to give up: nothing more to do with it
        }
    }
}
