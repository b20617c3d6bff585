package dev.postilion.dsl;

import dev.postilion.text.Spelling;
import groovy.lang.Closure;
import java.io.File;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How each word of the DSL is written, for the errors that catch a wrong form: a call Groovy could
 * not match ({@code rcpt 'x'}, {@code connect 25}), a missing value, a verb in the wrong place. The
 * messages name the word and its right spelling, never a Java class.
 */
final class VerbSpelling {

    /** Verbs that talk SMTP: refused inside {@code data { }}, {@code send { }} and a batch's block. */
    static final Set<String> SMTP_VERBS = Set.of("connect", "ehlo", "helo", "starttls", "auth", "mail", "rcpt", "data",
            "send", "rset", "noop", "vrfy", "raw", "quit", "expect", "batch");

    /** The message words of {@code data { }} and {@code send { }}. */
    static final Set<String> MESSAGE_WORDS = Set.of("from", "to", "cc", "bcc", "replyTo", "subject", "text", "html",
            "header", "attach", "inline", "priority", "messageId", "date", "template", "templateHtml");

    /** AUTH mechanism words, as the keys of {@code auth}. */
    static final Set<String> MECHANISMS = Set.of("login", "plain", "cramMd5", "xoauth2", "oauthbearer", "ntlm", "auto",
            "digestMd5");

    /** Option words and the verb they belong to, for {@code mail from 'a@x'} (a colon missing). */
    static final Map<String, String> OPTIONS = Map.of("from", "mail", "to", "rcpt", "port", "connect", "tls", "connect",
            "profile", "connect", "user", "auth", "password", "auth", "token", "auth");

    private static final Map<String, String> SPELLING = Map.ofEntries(
            Map.entry("connect", "connect 'mail.example.com', port: 587 (or connect profile: 'work', or a bare connect)"),
            Map.entry("ehlo", "ehlo 'client.example.com' (or a bare ehlo: the profile's helo, else this host's name)"),
            Map.entry("helo", "helo 'client.example.com' (or a bare helo)"),
            Map.entry("starttls", "starttls (no arguments)"),
            Map.entry("auth", "auth login: 'user', password: secret('work') (also plain:, cramMd5:, xoauth2: 'user',"
                    + " token: t; a bare auth takes the profile's credentials)"),
            Map.entry("mail", "mail from: 'you@example.com' (or a bare mail: the profile's from)"),
            Map.entry("rcpt", "rcpt to: 'someone@example.com' (or a list: rcpt to: ['a@example.com', 'b@example.com'])"),
            Map.entry("data", "data { subject 'Hello'; text 'Hi' } (or data 'raw message', or data file('msg.eml'))"),
            Map.entry("send", "send { from 'a@example.com'; to 'b@example.com'; subject 'Hello'; text 'Hi' }"),
            Map.entry("rset", "rset (no arguments)"),
            Map.entry("noop", "noop (no arguments)"),
            Map.entry("quit", "quit (no arguments)"),
            Map.entry("vrfy", "vrfy 'postmaster'"),
            Map.entry("raw", "raw 'XCMD argument'"),
            Map.entry("expect", "expect 550, { rcpt to: 'x@example.com' } (a code, a list, '5.1.1', '5xx' or ~/text/,"
                    + " then a block)"),
            Map.entry("batch", "batch(csv('people.csv')) { row -> send { to row.email; subject 'Hello'; text 'Hi' } }"),
            Map.entry("maxTime", "maxTime '50m'"),
            Map.entry("env", "env('NAME') or env('NAME', 'fallback')"),
            Map.entry("secret", "secret('work')"),
            Map.entry("file", "file('message.eml')"),
            Map.entry("csv", "csv('people.csv') or csv('people.csv', delimiter: ';')"),
            Map.entry("jsonl", "jsonl('people.jsonl')"),
            Map.entry("yaml", "yaml('people.yaml')"),
            Map.entry("log", "log 'text'"),
            Map.entry("from", "from 'Ann <ann@example.com>'"),
            Map.entry("to", "to 'b@example.com' (or a list: to 'a@example.com', 'b@example.com')"),
            Map.entry("cc", "cc 'c@example.com' (or a list)"),
            Map.entry("bcc", "bcc 'd@example.com' (or a list)"),
            Map.entry("replyTo", "replyTo 'help@example.com'"),
            Map.entry("subject", "subject 'Hello'"),
            Map.entry("text", "text 'Hi'"),
            Map.entry("html", "html '<p>Hi</p>'"),
            Map.entry("header", "header 'X-Campaign', 'autumn'"),
            Map.entry("attach", "attach 'report.pdf' (or attach 'report.pdf', type: 'application/pdf', name: 'Report.pdf')"),
            Map.entry("inline", "inline 'logo.png', cid: 'logo'"),
            Map.entry("priority", "priority 1 (1 highest to 5) or priority 'high'"),
            Map.entry("messageId", "messageId '<id@example.com>'"),
            Map.entry("date", "date 'Tue, 3 Jun 2008 11:05:30 +0000'"),
            Map.entry("template", "template('welcome.txt', [name: 'Ann'])"),
            Map.entry("templateHtml", "templateHtml('welcome.html', [name: 'Ann'])"));

    private VerbSpelling() {
    }

    /** True for a word of the DSL (a verb, a helper or a message word). */
    static boolean known(String word) {
        return SPELLING.containsKey(word);
    }

    /** How {@code word} is written, or null for a word that is not the DSL's. */
    static String of(String word) {
        return SPELLING.get(word);
    }

    /**
     * The error for a call of a DSL word with arguments it does not take: what was given (by kind,
     * never by value: a literal password must not be printed) and how to write it.
     */
    static String wrongArguments(String word, Object[] args) {
        String how = of(word);
        if (args == null || args.length == 0) {
            return word + " needs arguments" + (how == null ? "" : "; write " + how);
        }
        return word + " does not take " + describe(args) + (how == null ? "" : "; write " + how);
    }

    /** {@code value}, or a script error naming the verb's spelling when it is null. */
    static <T> T requireValue(ScriptLocation at, String verb, T value) {
        if (value == null) {
            throw new ScriptError(at, missingValue(verb));
        }
        return value;
    }

    /** The error for a DSL word given null where it needs a value. */
    static String missingValue(String word) {
        String how = of(word);
        return word + " got no value (null or empty text)" + (how == null ? "" : "; write " + how);
    }

    /** The mistake of an SMTP verb inside {@code data { }} or {@code send { }}. */
    static String insideMessageBlock(String verb) {
        return verb + " cannot be used inside a data { } or send { } block: the block describes the message;"
                + " put SMTP commands before or after it";
    }

    /** The mistake of an SMTP verb inside a batch's block. */
    static String insideBatch(String verb) {
        return verb + " cannot be used inside batch { }: the batch runs the SMTP dialogue on its own connections;"
                + " describe the row's message with send { }";
    }

    /** An AUTH mechanism written as a word of its own ({@code auth plain(...)}, {@code auth plain}). */
    static String mechanismAsVerb(String mechanism) {
        String key = mechanism.equals("digestMd5") ? "'digest-md5'" : mechanism;
        String secret = mechanism.equals("xoauth2") || mechanism.equals("oauthbearer") ? "token" : "password";
        return mechanism + " is an AUTH mechanism, not a verb: `auth " + key + ": 'user', " + secret + ": "
                + (secret.equals("token") ? "t" : "p") + "` is the spelling";
    }

    /**
     * The error for a call Groovy could not match on the script: a message word outside its block,
     * a verb with arguments it does not take ({@code rcpt 'x'}), an AUTH mechanism used as a verb,
     * or an unknown verb (the nearest of {@code verbs} is named). {@code messageWordCall}: the call
     * would fit a word of {@code data { }}.
     */
    static String unmatchedCall(String name, Object[] given, boolean messageWordCall, List<String> verbs) {
        if (messageWordCall) {
            return name + " is a message word: it belongs inside data { } or send { } (data { " + of(name) + " })";
        }
        if (known(name)) {
            return wrongArguments(name, given);
        }
        if (MECHANISMS.contains(name)) {
            return mechanismAsVerb(name);
        }
        String near = Spelling.nearest(name, verbs).orElse(null);
        return "unknown verb '" + name + "'" + (near != null ? " (did you mean '" + near + "'?)" : "");
    }

    /** The error for a name that is no variable: an option without its colon, else the nearest of {@code known}. */
    static String unknownName(String name, List<String> known) {
        String verb = OPTIONS.get(name);
        if (verb != null) {
            // mail from 'a@x' reads as mail(from).a@x: the colon is missing.
            return "unknown name '" + name + "': an option is written with a colon, as in " + of(verb);
        }
        String near = Spelling.nearest(name, known).orElse(null);
        return "unknown name '" + name + "'" + (near != null ? " (did you mean '" + near + "'?)" : "")
                + "; --var " + name + "=VALUE defines a variable";
    }

    /** The arguments by kind: {@code text, named arguments (port:)}. */
    static String describe(Object[] args) {
        List<String> kinds = new ArrayList<>();
        for (Object a : args) {
            kinds.add(kind(a));
        }
        return String.join(", ", kinds);
    }

    private static String kind(Object a) {
        if (a == null) {
            return "null";
        }
        if (a instanceof CharSequence) {
            return "text";
        }
        if (a instanceof Number) {
            return "a number";
        }
        if (a instanceof Boolean) {
            return "true/false";
        }
        if (a instanceof Map<?, ?> m) {
            List<String> keys = new ArrayList<>();
            m.keySet().forEach(k -> keys.add(k + ":"));
            return "named arguments (" + String.join(" ", keys) + ")";
        }
        if (a instanceof Closure<?>) {
            return "a block";
        }
        if (a instanceof Collection<?> || a instanceof Object[]) {
            return "a list";
        }
        if (a instanceof File) {
            return "a file";
        }
        return "a value";
    }
}
