/**
 * The extension SPI: what an upload extension compiles against, mirroring PhotoKit's
 * Background Resource Upload API one-to-one in Java idiom.
 *
 * <p>Apple's names map as follows: {@code PHBackgroundResourceUploadJobExtension} →
 * {@link org.upcert.api.UploadExtension}; {@code PHAssetResourceUploadJob} →
 * {@link org.upcert.api.UploadJob}; {@code PHAssetResourceUploadJobChangeRequest} →
 * {@link org.upcert.api.JobChanges}; {@code PHPhotoLibrary} (with the job class methods) →
 * {@link org.upcert.api.PhotoLibrary}; {@code PHPhotosError} →
 * {@link org.upcert.api.PhotosException}. The calls an extension makes are the calls its
 * Swift twin makes, so logic tested here ports without thought. A {@code nil}
 * {@code PHAssetResourceUploadJobChangeRequest(for:)} (a job that cannot be changed) is a
 * {@link org.upcert.api.DroppedChange} in the {@link org.upcert.api.ChangeOutcome} of
 * {@link org.upcert.api.PhotoLibrary#performChangesAndReport}; {@code #available(iOS X, *)} is
 * {@link org.upcert.api.ExtensionContext#osAtLeast(String)}.
 *
 * <p>Nothing in this package depends on anything but the JDK.
 */
package org.upcert.api;
