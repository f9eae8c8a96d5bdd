/**
 * The system's upload-job store: job records and their states, the exact fetch sets, the job
 * limit, and atomic change blocks with PhotoKit's rules for create, acknowledge, retry and
 * cancel. Every change, legal or not, is recorded in the trace.
 */
package org.upcert.harness.jobs;
