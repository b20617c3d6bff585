/**
 * Building messages: {@link dev.postilion.message.MessageSpec} collects what a mail author
 * writes, {@link dev.postilion.message.MimeAssembler} turns it into MIME with Jakarta Mail
 * (Eclipse Angus), and {@link dev.postilion.message.RawMessage} carries a message sent as written
 * (templates are rendered in {@code dsl}, so this package needs no Groovy). This package never
 * sees a socket: it writes to an {@link java.io.OutputStream} and tells the engine, before
 * anything is sent, the facts it needs (size, 8-bit, SMTPUTF8, envelope).
 */
package dev.postilion.message;
