package dev.postilion.dsl;

import java.util.List;
import java.util.Map;

/**
 * The named arguments each word of the DSL takes: the one list both the word itself checks at run
 * time and the preflight checks before the script runs ({@code mail frm: 'a@x'} is refused before
 * connecting, with the same message).
 */
enum VerbOptions {
    CONNECT("connect", false, "host", "port", "tls", "tlsCa", "insecure", "timeout", "allowCleartextAuth",
            "pipelining", "chunking", "profile"),
    AUTH("auth", false, "login", "plain", "cram-md5", "cramMd5", "xoauth2", "oauthbearer", "digest-md5", "ntlm",
            "auto", "user", "password", "token", "authzid"),
    MAIL("mail", false, "from", "size", "body", "smtputf8", "ret", "envid"),
    RCPT("rcpt", false, "to", "notify", "orcpt"),
    DATA("data", false, "addMissingHeaders"),
    CSV("csv", false, "delimiter"),
    BATCH("batch", false, "concurrency", "rate", "perConnection", "retries", "retryDelay", "maxRetryDelay",
            "maxErrors", "journal", "fsync", "resume", "create", "key", "resendInDoubt", "report", "shard",
            "addressField", "maxAge", "maxRecipients"),
    ATTACH("attach", true, "type", "name"),
    INLINE("inline", true, "cid", "type");

    private final String verb;
    private final boolean messageWord;
    private final List<String> keys;

    VerbOptions(String verb, boolean messageWord, String... keys) {
        this.verb = verb;
        this.messageWord = messageWord;
        this.keys = List.of(keys);
    }

    /** The word as the script writes it. */
    String verb() {
        return verb;
    }

    /** The keys it takes, in the order its error lists them. */
    List<String> keys() {
        return keys;
    }

    /**
     * Checks a call's named arguments.
     *
     * @throws ScriptError naming the unknown key, the nearest allowed one, and all allowed keys
     */
    NamedArgs check(Map<?, ?> args, ScriptLocation at) {
        return NamedArgs.check(verb, args, at, keys.toArray(String[]::new));
    }

    /** The options of a top-level verb ({@code messageWord} false) or of a message word, or null when it takes none. */
    static VerbOptions of(String word, boolean messageWord) {
        for (VerbOptions v : values()) {
            if (v.verb.equals(word) && v.messageWord == messageWord) {
                return v;
            }
        }
        return null;
    }
}
