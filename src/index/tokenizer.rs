//! How message text becomes search terms. One analyzer serves indexing and queries, so what a
//! user types is cut exactly like what was indexed.
//!
//! - words: runs of letters and digits (combining accents included); apostrophes inside a word
//!   are dropped (`O'Neill` → `oneill`); `-`, `.`, `_`, `+` split words (`e-mail` → `e`, `mail`);
//! - e-mail addresses and URLs: the whole address as one term, then its words;
//! - `#hashtags` and `@mentions`: the tag with its sign, then the bare word;
//! - phone numbers (7 or more digits, with `+`, spaces, dashes, dots or brackets): each group of
//!   digits, then all the digits together (`+44 7700 900123` → `44`, `7700`, `900123`,
//!   `447700900123`);
//! - Chinese, Japanese and Korean: overlapping pairs of characters (`見積もり` → `見積`, `積も`,
//!   `もり`), a lone character as itself;
//! - then lower-cased and folded to ASCII where Latin (`Müller` → `muller`, `straße` → `strasse`).

use tantivy::tokenizer::{AsciiFoldingFilter, TextAnalyzer, Token, TokenStream, Tokenizer};

/// The name the analyzer is registered under in the index.
pub const NAME: &str = "holdfast";

/// Tokens of this many bytes or more (as written, before lower-casing) are left out, as
/// tantivy's `RemoveLongFilter::limit(200)` did.
const MAX_TOKEN_BYTES: usize = 200;

/// The tokenizer cuts, drops over-long tokens and lower-cases in one pass over each token (what
/// tantivy's `RemoveLongFilter` and `LowerCaser` did after it, with the same result: a test
/// compares the two); ASCII folding follows.
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(HoldfastTokenizer)
        .filter(AsciiFoldingFilter)
        .build()
}

/// Every token of `text` (normalised), in order: for tests and for highlighting.
pub fn tokens(text: &str) -> Vec<Token> {
    let mut a = analyzer();
    let mut s = a.token_stream(text);
    let mut out = Vec::new();
    while s.advance() {
        out.push(s.token().clone());
    }
    out
}

#[derive(Clone, Copy, Debug, Default)]
pub struct HoldfastTokenizer;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// The text as written (minus apostrophes).
    Word,
    /// Only the digits of the span.
    Digits,
}

#[derive(Clone, Copy, Debug)]
struct Span {
    from: usize,
    to: usize,
    kind: Kind,
}

pub struct HoldfastTokenStream<'a> {
    text: &'a str,
    spans: Vec<Span>,
    next: usize,
    token: Token,
    /// Lower-case and drop over-long tokens (off only for the test that compares this with
    /// tantivy's filters).
    normalise: bool,
}

/// `c` lower-cased as tantivy's `LowerCaser` does it (`char::to_lowercase`, no final sigma).
fn push_lower(out: &mut String, c: char) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
    } else {
        out.extend(c.to_lowercase());
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // Hiragana, Katakana
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified
        | 0xAC00..=0xD7AF    // Hangul syllables
        | 0xF900..=0xFAFF    // CJK compatibility
        | 0x20000..=0x2FA1F) // CJK extensions B-F
}

fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    // Accented Latin and basic Cyrillic letters without a look-up in Unicode's tables (the
    // unit test checks these ranges against the general rule below).
    if matches!(c as u32, 0x00C0..=0x00D6 | 0x00D8..=0x00F6 | 0x00F8..=0x017F | 0x0400..=0x045F) {
        return true;
    }
    (c.is_alphanumeric() && !is_cjk(c)) || matches!(c as u32, 0x0300..=0x036F)
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '\u{2019}'
}

/// Characters that may join parts of an address or a compound inside one run.
fn is_joiner(c: char) -> bool {
    matches!(c, '.' | '-' | '_' | '+' | '@') || is_apostrophe(c)
}

struct Scanner<'a> {
    text: &'a str,
    spans: Vec<Span>,
}

impl<'a> Scanner<'a> {
    fn char_at(&self, i: usize) -> Option<char> {
        self.text[i..].chars().next()
    }

    fn push(&mut self, from: usize, to: usize, kind: Kind) {
        if to > from {
            self.spans.push(Span { from, to, kind });
        }
    }

    /// Word tokens of `from..to`, split at joiners (apostrophes stay inside words).
    fn words(&mut self, from: usize, to: usize) {
        let mut start: Option<usize> = None;
        let mut prev_word = false;
        for (off, c) in self.text[from..to].char_indices() {
            let i = from + off;
            // Only an apostrophe needs to look ahead (most characters never do).
            let text = self.text;
            let next_is_word = || {
                text[i + c.len_utf8()..to]
                    .chars()
                    .next()
                    .is_some_and(is_word_char)
            };
            if is_word_char(c) {
                start.get_or_insert(i);
                prev_word = true;
            } else if is_apostrophe(c) && prev_word && next_is_word() {
                // inside a word: keep going
            } else {
                if let Some(s) = start.take() {
                    self.push(s, i, Kind::Word);
                }
                prev_word = false;
            }
        }
        if let Some(s) = start {
            self.push(s, to, Kind::Word);
        }
    }

    /// A phone number starting at `i`, or `None`.
    fn phone(&self, i: usize) -> Option<(usize, Vec<(usize, usize)>)> {
        let bytes = self.text.as_bytes();
        let mut j = i;
        if bytes[j] == b'+' {
            j += 1;
        }
        let mut groups = Vec::new();
        let mut digits = 0;
        let mut group_start: Option<usize> = None;
        let mut last_sep = true;
        while j < bytes.len() {
            let b = bytes[j];
            if b.is_ascii_digit() {
                group_start.get_or_insert(j);
                digits += 1;
                last_sep = false;
            } else if matches!(b, b' ' | b'-' | b'.' | b'(' | b')') && !last_sep {
                // A separator must be followed by a digit (or an opening bracket then a digit).
                let follows = bytes[j + 1..]
                    .iter()
                    .find(|c| !matches!(c, b'(' | b' '))
                    .is_some_and(u8::is_ascii_digit);
                if !follows {
                    break;
                }
                if let Some(s) = group_start.take() {
                    groups.push((s, j));
                }
                last_sep = b != b')';
            } else if b == b'(' && last_sep {
                // "(0)20" or "+44 (0)20"
            } else {
                break;
            }
            j += 1;
        }
        if let Some(s) = group_start {
            groups.push((s, j));
        }
        // The number must end at a boundary (not inside a word).
        let at_boundary = self.char_at(j).is_none_or(|c| !is_word_char(c));
        (digits >= 7 && at_boundary && (groups.len() >= 2 || bytes[i] == b'+'))
            .then_some((j, groups))
    }

    fn scan(mut self) -> Vec<Span> {
        let text = self.text;
        let mut i = 0;
        while i < text.len() {
            let c = self.char_at(i).expect("in bounds");
            let rest = &text[i..];
            // URLs
            let lower_starts = |p: &str| {
                rest.len() >= p.len()
                    && rest.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes())
            };
            if lower_starts("http://") || lower_starts("https://") || lower_starts("www.") {
                let mut end = i + rest
                    .find(|ch: char| ch.is_whitespace() || matches!(ch, '<' | '>' | '"'))
                    .unwrap_or(rest.len());
                while end > i
                    && text[..end].ends_with(['.', ',', ';', ':', '!', '?', ')', ']', '}', '\''])
                {
                    end -= 1;
                }
                self.push(i, end, Kind::Word);
                self.words(i, end);
                i = end.max(i + 1);
                continue;
            }
            // #hashtags and @mentions
            if (c == '#' || c == '@') && rest[1..].chars().next().is_some_and(is_word_char) {
                let end = i
                    + 1
                    + rest[1..]
                        .find(|ch: char| !(is_word_char(ch) || ch == '_'))
                        .unwrap_or(rest.len() - 1);
                self.push(i, end, Kind::Word);
                self.push(i + 1, end, Kind::Word);
                i = end;
                continue;
            }
            // phone numbers
            if c == '+' || c.is_ascii_digit() {
                if let Some((end, groups)) = self.phone(i) {
                    // Each group, then all the digits (one group: just the digits).
                    if groups.len() > 1 {
                        for (a, b) in groups {
                            self.push(a, b, Kind::Word);
                        }
                    }
                    self.push(i, end, Kind::Digits);
                    i = end;
                    continue;
                }
            }
            // CJK: overlapping pairs
            if is_cjk(c) {
                let run_end = i + rest.find(|ch: char| !is_cjk(ch)).unwrap_or(rest.len());
                let chars: Vec<usize> = text[i..run_end]
                    .char_indices()
                    .map(|(o, _)| i + o)
                    .collect();
                if chars.len() == 1 {
                    self.push(i, run_end, Kind::Word);
                } else {
                    for k in 0..chars.len() - 1 {
                        let to = chars.get(k + 2).copied().unwrap_or(run_end);
                        self.push(chars[k], to, Kind::Word);
                    }
                }
                i = run_end;
                continue;
            }
            // words, e-mail addresses and compounds
            if is_word_char(c) {
                let mut end = i;
                let mut joined = false;
                for (off, ch) in rest.char_indices() {
                    let pos = i + off;
                    if is_word_char(ch) {
                        end = pos + ch.len_utf8();
                    } else if is_joiner(ch)
                        && text[pos + ch.len_utf8()..]
                            .chars()
                            .next()
                            .is_some_and(is_word_char)
                    {
                        joined = true;
                        continue;
                    } else {
                        break;
                    }
                }
                if !joined {
                    // A plain word (the common case): one token, no second look at it.
                    self.push(i, end, Kind::Word);
                    i = end;
                    continue;
                }
                let run = &text[i..end];
                if let Some(at) = run.find('@') {
                    if run[at..].contains('.') {
                        self.push(i, end, Kind::Word);
                    }
                }
                self.words(i, end);
                i = end;
                continue;
            }
            i += c.len_utf8();
        }
        self.spans
    }
}

impl Tokenizer for HoldfastTokenizer {
    type TokenStream<'a> = HoldfastTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> HoldfastTokenStream<'a> {
        HoldfastTokenStream::new(text, true)
    }
}

impl<'a> HoldfastTokenStream<'a> {
    fn new(text: &'a str, normalise: bool) -> Self {
        HoldfastTokenStream {
            text,
            spans: Scanner {
                text,
                spans: Vec::new(),
            }
            .scan(),
            next: 0,
            token: Token::default(),
            normalise,
        }
    }
}

impl TokenStream for HoldfastTokenStream<'_> {
    fn advance(&mut self) -> bool {
        while let Some(span) = self.spans.get(self.next) {
            self.next += 1;
            let t = &mut self.token;
            t.text.clear();
            let s = &self.text[span.from..span.to];
            let lower = self.normalise;
            // The token's length as written (what the length limit applies to).
            let written = match span.kind {
                // Neither an apostrophe (`'`, or U+2019 which starts with 0xE2) nor a
                // combining accent (U+0300..U+036F start with 0xCC or 0xCD): as written.
                Kind::Word if !s.bytes().any(|b| matches!(b, b'\'' | 0xE2 | 0xCC | 0xCD)) => {
                    if !lower {
                        t.text.push_str(s);
                    } else if s.is_ascii() {
                        t.text.push_str(s);
                        t.text.make_ascii_lowercase();
                    } else {
                        s.chars().for_each(|c| push_lower(&mut t.text, c));
                    }
                    s.len()
                }
                // Apostrophes and combining accents (decomposed `é`) are left out.
                Kind::Word => {
                    let mut n = 0;
                    for c in s
                        .chars()
                        .filter(|c| !is_apostrophe(*c) && !matches!(*c as u32, 0x0300..=0x036F))
                    {
                        n += c.len_utf8();
                        if lower {
                            push_lower(&mut t.text, c);
                        } else {
                            t.text.push(c);
                        }
                    }
                    n
                }
                Kind::Digits => {
                    t.text.extend(s.chars().filter(char::is_ascii_digit));
                    t.text.len()
                }
            };
            if written == 0 {
                continue;
            }
            t.offset_from = span.from;
            t.offset_to = span.to;
            t.position = t.position.wrapping_add(1);
            t.position_length = 1;
            if lower && written >= MAX_TOKEN_BYTES {
                // Too long to be a word anyone searches for; its position stays taken.
                continue;
            }
            return true;
        }
        false
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_quick_letter_ranges_agree_with_unicode() {
        for u in 0x80..0x3000u32 {
            let Some(c) = char::from_u32(u) else { continue };
            let general = (c.is_alphanumeric() && !is_cjk(c)) || matches!(u, 0x0300..=0x036F);
            assert_eq!(is_word_char(c), general, "U+{u:04X}");
        }
    }

    fn texts(s: &str) -> Vec<String> {
        tokens(s).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn words_are_lowercased_and_folded() {
        assert_eq!(
            texts("Müller met MÜLLER at the Café"),
            ["muller", "met", "muller", "at", "the", "cafe"]
        );
        assert_eq!(
            texts("Straße, naïve déjà-vu"),
            ["strasse", "naive", "deja", "vu"]
        );
        assert_eq!(texts("Tom O'Neill’s quote"), ["tom", "oneills", "quote"]);
        assert_eq!(texts("договор подписан"), ["договор", "подписан"]);
        // Decomposed accents (e + U+0301) stay inside the word.
        assert_eq!(texts("cafe\u{301}"), ["cafe"]);
        assert_eq!(texts("\u{301} x"), ["x"]);
        let positions: Vec<usize> = tokens("a b c").iter().map(|t| t.position).collect();
        assert_eq!(positions, [0, 1, 2]);
    }

    #[test]
    fn addresses_urls_tags_and_phones_stay_findable() {
        assert_eq!(
            texts("mail finance@example.org now"),
            [
                "mail",
                "finance@example.org",
                "finance",
                "example",
                "org",
                "now"
            ]
        );
        assert_eq!(
            texts("see https://example.com/a-b?x=1."),
            [
                "see",
                "https://example.com/a-b?x=1",
                "https",
                "example",
                "com",
                "a",
                "b",
                "x",
                "1"
            ]
        );
        assert_eq!(
            texts("#FOI2026 and @priya"),
            ["#foi2026", "foi2026", "and", "@priya", "priya"]
        );
        assert_eq!(
            texts("call +44 7700 900123 today"),
            ["call", "44", "7700", "900123", "447700900123", "today"]
        );
        assert_eq!(
            texts("on 020-7946-0958"),
            ["on", "020", "7946", "0958", "02079460958"]
        );
        assert_eq!(texts("+447700900123"), ["447700900123"]);
        // Short numbers and times are ordinary words.
        assert_eq!(
            texts("at 10:00 on 24/02, £3,450"),
            ["at", "10", "00", "on", "24", "02", "3", "450"]
        );
    }

    #[test]
    fn cjk_text_is_cut_into_overlapping_pairs() {
        assert_eq!(texts("見積もり"), ["見積", "積も", "もり"]);
        assert_eq!(texts("会議 at 3"), ["会議", "at", "3"]);
        assert_eq!(texts("猫"), ["猫"]);
    }

    #[test]
    fn offsets_point_at_the_original_text() {
        let s = "Ünïcode café";
        for t in tokens(s) {
            assert!(s.is_char_boundary(t.offset_from) && s.is_char_boundary(t.offset_to));
        }
        let t = tokens(s);
        assert_eq!(&s[t[1].offset_from..t[1].offset_to], "café");
    }

    /// The analyzer before the fused pass: the tokenizer as written, then tantivy's filters.
    fn tantivy_filters() -> TextAnalyzer {
        use tantivy::tokenizer::{LowerCaser, RemoveLongFilter};
        #[derive(Clone)]
        struct AsWritten;
        impl Tokenizer for AsWritten {
            type TokenStream<'a> = HoldfastTokenStream<'a>;
            fn token_stream<'a>(&'a mut self, text: &'a str) -> HoldfastTokenStream<'a> {
                HoldfastTokenStream::new(text, false)
            }
        }
        TextAnalyzer::builder(AsWritten)
            .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .build()
    }

    fn all(mut a: TextAnalyzer, text: &str) -> Vec<Token> {
        let mut s = a.token_stream(text);
        let mut out = Vec::new();
        while s.advance() {
            out.push(s.token().clone());
        }
        out
    }

    #[test]
    fn the_fused_pass_gives_what_tantivys_filters_gave() {
        let long = format!("short {} İSTANBUL {} end", "A".repeat(199), "b".repeat(200));
        let near = format!("{} x", "İ".repeat(99)); // 198 bytes written, 297 lower-cased
        for text in [
            "Hello WORLD, Müller STRASSE straße O'Neill ÉCOLE",
            "Δ ΣΟΦΊΑ Ωμέγα ПРИВЕТ мир İstanbul ǅemal ﬁle",
            "e\u{301}cole decomposed, don\u{2019}t, #Tag @Name +44 7700 900123",
            "見積もり 東京 MIXED見積case www.Example.COM/Path a.b@Example.org",
            long.as_str(),
            near.as_str(),
        ] {
            assert_eq!(
                format!("{:?}", all(analyzer(), text)),
                format!("{:?}", all(tantivy_filters(), text)),
                "{text}"
            );
        }
    }

    proptest! {
        #[test]
        fn the_fused_pass_agrees_on_any_text(s in "\\PC{0,120}") {
            prop_assert_eq!(
                format!("{:?}", all(analyzer(), &s)),
                format!("{:?}", all(tantivy_filters(), &s))
            );
        }

        #[test]
        fn never_panics_and_offsets_are_valid(s in "\\PC{0,80}") {
            for t in tokens(&s) {
                prop_assert!(t.offset_from < t.offset_to && t.offset_to <= s.len());
                prop_assert!(s.is_char_boundary(t.offset_from) && s.is_char_boundary(t.offset_to));
                prop_assert!(!t.text.is_empty());
            }
        }
    }
}
