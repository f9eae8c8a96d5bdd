/**
 * The extension protocol on the wire ({@code docs/protocol.md}): newline-delimited JSON-RPC 2.0
 * messages over a Unix-domain socket, the JSON form of every API value, and a connection that
 * carries requests both ways. Shared by the harness and the processes that host extensions, so
 * both ends read and write the same bytes.
 */
package org.upcert.protocol;
