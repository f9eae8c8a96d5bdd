/**
 * Cloud stubs: in-process WireMock servers bound to 127.0.0.1 that imitate the services upload
 * extensions talk to. A {@link org.upcert.harness.cloud.CloudDialect} holds one service's
 * protocol; the {@link org.upcert.harness.cloud.CloudStub} serves it over WireMock; the
 * {@link org.upcert.harness.cloud.CloudInventory} records what the cloud received, for checkers.
 */
package org.upcert.harness.cloud;
