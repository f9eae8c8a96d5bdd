package org.upcert.harness.cloud;

import com.github.tomakehurst.wiremock.http.HttpServerFactory;
import com.github.tomakehurst.wiremock.jetty11.Jetty11HttpServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.EnumSet;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import wiremock.jakarta.servlet.DispatcherType;
import wiremock.jakarta.servlet.Filter;
import wiremock.jakarta.servlet.FilterChain;
import wiremock.jakarta.servlet.ReadListener;
import wiremock.jakarta.servlet.ServletException;
import wiremock.jakarta.servlet.ServletInputStream;
import wiremock.jakarta.servlet.ServletRequest;
import wiremock.jakarta.servlet.ServletResponse;
import wiremock.jakarta.servlet.http.HttpServletRequest;
import wiremock.jakarta.servlet.http.HttpServletRequestWrapper;
import wiremock.org.eclipse.jetty.servlet.FilterHolder;
import wiremock.org.eclipse.jetty.servlet.ServletContextHandler;

/**
 * Request bodies reach the dialect as the bytes that were on the wire.
 *
 * <p>WireMock (3.13, {@code WireMockHttpServletRequestAdapter.getBody}) un-gzips every request
 * body that carries {@code Content-Encoding: gzip} <em>or merely starts with the gzip magic bytes
 * {@code 1f 8b}</em>, and no option turns that off (wiremock/wiremock#547). A payload is opaque:
 * one in 65,536 random payloads starts with those two bytes, and WireMock then answered HTTP 500
 * (not a gzip stream) or, for a real gzip file, handed the dialect the decompressed bytes under
 * the wrong SHA-256. The in-JVM transport never did either, so the two transports disagreed.
 *
 * <p>A servlet filter in front of WireMock's stub servlet looks at the first two bytes. When
 * WireMock would decode the body, the filter hands it the body wrapped in a gzip stream (stored,
 * not compressed), so WireMock's decoding gives back exactly the bytes sent; otherwise the body
 * streams through untouched, with no copy.
 */
final class OpaqueRequestBodies implements Filter {
    private static final int GZIP_MAGIC_0 = 0x1f;
    private static final int GZIP_MAGIC_1 = 0x8b;

    private OpaqueRequestBodies() {
    }

    /** WireMock's Jetty server with this filter on the stub (not the admin) context. */
    static HttpServerFactory serverFactory() {
        return (options, adminRequestHandler, stubRequestHandler) -> new Jetty11HttpServer(options, adminRequestHandler,
                stubRequestHandler) {
            @Override
            protected void decorateMockServiceContextAfterConfig(ServletContextHandler context) {
                context.addFilter(new FilterHolder(new OpaqueRequestBodies()), "/*", EnumSet.of(DispatcherType.REQUEST));
            }
        };
    }

    /** Whether WireMock would un-gzip a body with these first bytes and this Content-Encoding header. */
    static boolean wireMockDecodes(byte[] head, String contentEncoding) {
        boolean magic = head.length >= 2 && (head[0] & 0xff) == GZIP_MAGIC_0 && (head[1] & 0xff) == GZIP_MAGIC_1;
        return magic || (contentEncoding != null && contentEncoding.contains("gzip"));
    }

    /** {@code bytes} as a gzip stream whose decoding is {@code bytes} again (stored blocks: no compression work). */
    static byte[] wrapped(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length + 64);
        try (GZIPOutputStream gzip = new GZIPOutputStream(out) {
            {
                def.setLevel(Deflater.NO_COMPRESSION);
            }
        }) {
            gzip.write(bytes);
        }
        return out.toByteArray();
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
        if (!(request instanceof HttpServletRequest http)) {
            chain.doFilter(request, response);
            return;
        }
        ServletInputStream original = http.getInputStream();
        byte[] head = original.readNBytes(2);
        InputStream body;
        if (wireMockDecodes(head, http.getHeader("Content-Encoding"))) {
            ByteArrayOutputStream whole = new ByteArrayOutputStream();
            whole.write(head);
            original.transferTo(whole);
            body = new ByteArrayInputStream(wrapped(whole.toByteArray()));
        } else {
            body = new SequenceInputStream(new ByteArrayInputStream(head), original);
        }
        chain.doFilter(new BodyRequest(http, body), response);
    }

    /** The request with its body read from {@code body}. */
    private static final class BodyRequest extends HttpServletRequestWrapper {
        private final Body body;

        BodyRequest(HttpServletRequest request, InputStream body) {
            super(request);
            this.body = new Body(body);
        }

        @Override
        public ServletInputStream getInputStream() {
            return body;
        }
    }

    /** A blocking servlet input stream over a plain one (WireMock reads bodies with readAllBytes). */
    private static final class Body extends ServletInputStream {
        private final InputStream in;
        private boolean finished;

        Body(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            finished = b < 0;
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = in.read(buffer, offset, length);
            finished = n < 0;
            return n;
        }

        @Override
        public boolean isFinished() {
            return finished;
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
            throw new UnsupportedOperationException("the cloud stub reads request bodies blocking");
        }
    }
}
