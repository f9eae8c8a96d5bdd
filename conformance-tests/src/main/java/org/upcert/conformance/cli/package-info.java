/** The upcert jar's entry point. */
package org.upcert.conformance.cli;
