/**
 * Reading what a user names: {@link dev.postilion.io.InputFile} refuses folders and devices,
 * waits a bounded time for a pipe's writer, and caps what is read whole; {@link
 * dev.postilion.io.OutOfMemory} is what a run says when the heap runs out anyway. The package
 * imports only the JDK and sits below every other package, so the script, message, profile,
 * batch and engine readers share one set of rules.
 */
package dev.postilion.io;
