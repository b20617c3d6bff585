package dev.postilion.smtp;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

import dev.postilion.transcript.TranscriptListener;

/**
 * Streams a message as BDAT chunks (RFC 3030 CHUNKING): CRLF line endings, no dot-stuffing, each
 * chunk's reply read before the next; a refused chunk ends the message with that reply.
 */
final class BdatWriter {

    /** The smallest chunk sent, whatever the caller asks for. */
    private static final int MIN_CHUNK = 1024;

    private final SmtpCodec codec;
    private final SessionState state;
    private final TranscriptListener transcript;

    BdatWriter(SmtpCodec codec, SessionState state, TranscriptListener transcript) {
        this.codec = codec;
        this.state = state;
        this.transcript = transcript;
    }

    /**
     * Sends the content in chunks of at most {@code chunkSize} octets, passing {@code gate} before
     * the LAST chunk.
     *
     * @return the reply to the LAST chunk, or the first refusal
     */
    Reply send(MessageContent content, int chunkSize, DataWriter.Gate gate) throws SmtpException {
        ChunkWriter chunks = new ChunkWriter(Math.max(MIN_CHUNK, chunkSize));
        try (DotStuffingOutputStream normalised = DotStuffingOutputStream.lineEndingsOnly(chunks)) {
            content.writeTo(normalised);
            normalised.finish();
            DataWriter.pass(gate, codec, state);
            chunks.last();
        } catch (ChunkRefused refused) {
            state.resetTransaction();
            return refused.reply;
        } catch (SmtpException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw DataWriter.halfWay(codec, state, e);
        }
        state.resetTransaction();
        return chunks.lastReply;
    }

    /** Collects normalised content into chunks and sends each as BDAT, reading its reply. */
    private final class ChunkWriter extends OutputStream {
        private final byte[] buf;
        private int len;
        private Reply lastReply;

        ChunkWriter(int size) {
            this.buf = new byte[size];
        }

        @Override
        public void write(int b) throws IOException {
            if (len == buf.length) {
                chunk(false);
            }
            buf[len++] = (byte) b;
        }

        void last() throws IOException {
            chunk(true);
        }

        private void chunk(boolean last) throws IOException {
            String line = Commands.bdat(len, last);
            codec.writeLine(SmtpStage.BDAT, line, null, false);
            codec.conn().write(Arrays.copyOf(buf, len));
            transcript.dataSummary(0, len, 0, codec.tls());
            codec.flush(SmtpStage.BDAT, line);
            len = 0;
            Reply r = codec.read(last ? SmtpStage.DATA_END : SmtpStage.BDAT, line, Reply::isPositiveCompletion);
            lastReply = r;
            if (!r.isPositiveCompletion()) {
                throw new ChunkRefused(r);
            }
        }
    }

    /** A chunk's refusal, carried out of the stream the content writes to. */
    private static final class ChunkRefused extends IOException {
        private final transient Reply reply;

        ChunkRefused(Reply reply) {
            super("BDAT refused");
            this.reply = reply;
        }
    }
}
