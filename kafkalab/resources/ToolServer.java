import java.io.ByteArrayInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.Arrays;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * Kafka's command-line tools, one call after another in one warm JVM (kafkalab's tool server): a call
 * costs a method call instead of a JVM start. One server per cluster, on a Unix socket in its folder.
 *
 * Request: an int N, then N strings (int length + UTF-8 bytes): the tool's main class, then its args.
 * Answer: frames (byte kind, int length, bytes): 1 = stdout, 2 = stderr; then kind 0 with the exit code
 * in place of the length. Kafka's Exit.exit() ends the call, not the JVM. After IDLE seconds without a
 * call the server ends by itself. Only the socket's owner (the server's user) is answered: a call runs
 * any main class with this user's rights, so another user (a sandboxed submission) gets no answer, even
 * where the socket's mode would let it connect.
 *
 *   java -cp KAFKA_LIBS/*:DIR ToolServer SOCKET IDLE_SECONDS
 *
 * Batch mode: several calls in one JVM start, on this process's own stdout and stderr; the first call
 * that fails ends the batch with its exit code (kafkalab formats a KRaft cluster's nodes this way).
 *
 *   java -cp KAFKA_LIBS/*:DIR ToolServer --batch MAIN ARGS... [--then MAIN ARGS...]...
 */
public final class ToolServer {
    static final Frames OUT = new Frames(1);
    static final Frames ERR = new Frames(2);
    /** The code of the call's first Exit.exit: as in a JVM of its own, nothing after it is printed. */
    static volatile Integer exited;

    /** Kafka's Exit.exit(code) inside a tool: the end of the call. */
    static final class ExitCalled extends RuntimeException {
        final int code;

        ExitCalled(int code) {
            super("exit " + code, null, false, false);
            this.code = code;
        }
    }

    /** What a tool prints on one stream, sent to the current caller as frames (dropped between calls). */
    static final class Frames extends OutputStream {
        final int kind;
        volatile DataOutputStream to;

        Frames(int kind) {
            this.kind = kind;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int off, int len) {
            DataOutputStream sink = to;
            if (sink == null || len == 0) {
                return;
            }
            synchronized (sink) {
                try {
                    sink.writeByte(kind);
                    sink.writeInt(len);
                    sink.write(bytes, off, len);
                    sink.flush();
                } catch (IOException gone) {
                    to = null;
                }
            }
        }
    }

    public static void main(String[] argv) throws Exception {
        if (argv.length > 0 && argv[0].equals("--batch")) {
            Runtime.getRuntime().halt(batch(Arrays.copyOfRange(argv, 1, argv.length)));
        }
        Path socket = Path.of(argv[0]);
        long idleMillis = Long.parseLong(argv[1]) * 1000L;
        Frames out = OUT;
        Frames err = ERR;
        // before any tool class loads: Scala's Console and log4j's console appender keep these streams
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        System.setIn(new ByteArrayInputStream(new byte[0]));
        trapExit();
        Files.deleteIfExists(socket);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
             Selector selector = Selector.open()) {
            server.bind(UnixDomainSocketAddress.of(socket));
            UserPrincipal owner = Files.getOwner(socket);
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
            while (selector.select(idleMillis) > 0) {
                selector.selectedKeys().clear();
                SocketChannel call = server.accept();
                if (call != null && !fromOwner(call, owner)) {
                    call.close();
                } else if (call != null) {
                    call.configureBlocking(true);
                    serve(call, out, err);
                }
            }
        } finally {
            Files.deleteIfExists(socket);
        }
        Runtime.getRuntime().halt(0); // threads a tool left behind do not keep an idle server alive
    }

    static int batch(String[] argv) throws Exception {
        trapExit();
        System.setIn(new ByteArrayInputStream(new byte[0]));
        int from = 0;
        while (from < argv.length) {
            int to = from;
            while (to < argv.length && !argv[to].equals("--then")) {
                to++;
            }
            exited = null;
            int code = run(argv[from], Arrays.copyOfRange(argv, from + 1, to));
            System.out.flush();
            System.err.flush();
            if (exited != null) {
                code = exited;
            }
            if (code != 0) {
                return code;
            }
            from = to + 1;
        }
        return 0;
    }

    static boolean fromOwner(SocketChannel call, UserPrincipal owner) {
        try {
            UnixDomainPrincipal peer = call.getOption(ExtendedSocketOptions.SO_PEERCRED);
            return peer.user().equals(owner);
        } catch (IOException | UnsupportedOperationException unknown) {
            return false;
        }
    }

    static void serve(SocketChannel call, Frames out, Frames err) {
        try (call) {
            DataInputStream in = new DataInputStream(Channels.newInputStream(call));
            DataOutputStream to = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(call)));
            String[] words = new String[in.readInt()];
            for (int i = 0; i < words.length; i++) {
                byte[] word = new byte[in.readInt()];
                in.readFully(word);
                words[i] = new String(word, StandardCharsets.UTF_8);
            }
            exited = null;
            out.to = to;
            err.to = to;
            int code = run(words[0], Arrays.copyOfRange(words, 1, words.length));
            System.out.flush();
            System.err.flush();
            if (exited != null) {
                code = exited;
            }
            out.to = null;
            err.to = null;
            synchronized (to) {
                to.writeByte(0);
                to.writeInt(code);
                to.flush();
            }
        } catch (IOException gone) {
            // the caller went away (a timeout, an interrupt): the next call starts clean
        } finally {
            out.to = null;
            err.to = null;
        }
    }

    static int run(String mainClass, String[] args) {
        try {
            Class.forName(mainClass).getMethod("main", String[].class).invoke(null, (Object) args);
            return 0;
        } catch (InvocationTargetException failed) {
            for (Throwable cause = failed.getCause(); cause != null; cause = cause.getCause()) {
                if (cause instanceof ExitCalled) {
                    return ((ExitCalled) cause).code;
                }
            }
            System.err.print("Exception in thread \"main\" ");
            failed.getCause().printStackTrace();
            return 1;
        } catch (Throwable failed) {
            failed.printStackTrace();
            return 1;
        }
    }

    /** The first exit of a call mutes it (a tool's own catch of our ExitCalled prints nothing). */
    static ExitCalled exit(int code) {
        if (exited == null) {
            System.out.flush();
            System.err.flush();
            exited = code;
            OUT.to = null;
            ERR.to = null;
        }
        return new ExitCalled(code);
    }

    /** Kafka's tools end with its Exit class (moved to ...utils.internals in 4.x): exit and halt end the call. */
    static void trapExit() throws Exception {
        int trapped = 0;
        for (String name : new String[] {"org.apache.kafka.common.utils.Exit",
                                         "org.apache.kafka.common.utils.internals.Exit"}) {
            Class<?> exit;
            try {
                exit = Class.forName(name);
            } catch (ClassNotFoundException notInThisVersion) {
                continue;
            }
            Class<?> procedure = Class.forName(name + "$Procedure");
            Object trap = Proxy.newProxyInstance(procedure.getClassLoader(), new Class<?>[] {procedure},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "hashCode": return System.identityHashCode(proxy);
                        case "equals": return proxy == args[0];
                        case "toString": return "kafkalab exit trap";
                        default: throw exit((Integer) args[0]);
                    }
                });
            exit.getMethod("setExitProcedure", procedure).invoke(null, trap);
            exit.getMethod("setHaltProcedure", procedure).invoke(null, trap);
            trapped++;
        }
        if (trapped == 0) {
            throw new IllegalStateException("no Kafka Exit class on the classpath");
        }
    }
}
