//! Recognising the line that starts a WhatsApp message: a timestamp in one of the many layouts
//! phones write, then the separator before the author. Hand-written (no regex) because it runs
//! on every line of exports with millions of messages.
//!
//! ```text
//! [LRM]['['] N sep N sep N['.'] [','|' klo '|' à '] H:MM[:SS] [AM|a.m.|a. m.|...] [']'] (' - ' | ': ' | ' ') rest
//! ```

/// Invisible direction marks and the BOM, which iOS and Android sprinkle before lines,
/// names and placeholders. Stripped before matching; the original bytes stay in the archive.
pub fn is_invisible_mark(c: char) -> bool {
    matches!(c, '\u{FEFF}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

pub fn strip_marks(s: &str) -> &str {
    // Every mark is encoded starting with 0xE2 or 0xEF: skip the scan for ordinary text.
    match s.as_bytes().first() {
        Some(0xE2 | 0xEF) => s.trim_start_matches(is_invisible_mark),
        _ => s,
    }
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\u{00A0}' | '\u{202F}' | '\t')
}

/// How the text after the timestamp is introduced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Separator {
    /// Android: ` - `
    Dash,
    /// Old Android: `: `
    Colon,
    /// iOS `] ` or a bare space.
    Space,
}

/// The shape of a header line, without its numbers. One export uses one layout throughout,
/// so lines of another layout are continuation text, not messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Layout {
    pub bracket: bool,
    pub date_sep: char,
    pub time_sep: char,
    pub twelve_hour: bool,
    pub separator: Separator,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header<'a> {
    /// The three date fields in written order, and how many digits each had.
    pub fields: [u32; 3],
    pub widths: [u8; 3],
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub layout: Layout,
    /// The timestamp as written, brackets excluded.
    pub timestamp: &'a str,
    /// Everything after the separator: `Author: text` or a system text.
    pub rest: &'a str,
}

struct Cursor<'a> {
    s: &'a str,
    i: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<char> {
        self.s[self.i..].chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.i += c.len_utf8();
        Some(c)
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.i += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn eat_str(&mut self, prefix: &str) -> bool {
        if self.s[self.i..].starts_with(prefix) {
            self.i += prefix.len();
            true
        } else {
            false
        }
    }

    /// Skips spaces, tabs, U+00A0 and U+202F; returns how many.
    fn spaces(&mut self) -> usize {
        let b = self.s.as_bytes();
        let mut n = 0;
        loop {
            let width = match b.get(self.i..) {
                Some([b' ' | b'\t', ..]) => 1,
                Some([0xC2, 0xA0, ..]) => 2,
                Some([0xE2, 0x80, 0xAF, ..]) => 3,
                _ => return n,
            };
            self.i += width;
            n += 1;
        }
    }

    /// Up to `max` ASCII digits; returns (value, digit count).
    fn number(&mut self, max: usize) -> Option<(u32, u8)> {
        let bytes = self.s.as_bytes();
        let start = self.i;
        let mut v: u32 = 0;
        while self.i < bytes.len() && self.i - start < max && bytes[self.i].is_ascii_digit() {
            v = v * 10 + u32::from(bytes[self.i] - b'0');
            self.i += 1;
        }
        let n = self.i - start;
        (n > 0).then_some((v, n as u8))
    }
}

/// Words some locales put between the date and the time (Finnish `klo`, French `à`, ...).
const DATE_TIME_WORDS: &[&str] = &["klo", "à", "um", "at", "às", "alle", "kl."];

/// Parses the header of `line` (which has no line terminator), or `None` when the line does
/// not start a message.
pub fn parse(line: &str) -> Option<Header<'_>> {
    let body = strip_marks(line);
    // Fast rejection: every header starts with a digit or '['.
    let first = *body.as_bytes().first()?;
    if !(first.is_ascii_digit() || first == b'[') {
        return None;
    }
    let mut c = Cursor { s: body, i: 0 };
    let bracket = c.eat('[');
    let ts_start = c.i;

    // Date: three numbers with one separator, optionally followed by a space ("13. 6. 2018.").
    let (a, wa) = c.number(4)?;
    let date_sep = c.bump()?;
    if !matches!(date_sep, '/' | '.' | '-') {
        return None;
    }
    c.spaces();
    let (b, wb) = c.number(4)?;
    if !c.eat(date_sep) {
        return None;
    }
    c.spaces();
    let (d, wd) = c.number(4)?;
    let widths = [wa, wb, wd];
    let four = widths.iter().filter(|w| **w == 4).count();
    if widths.contains(&3) || four > 1 {
        return None;
    }
    if date_sep == '.' {
        c.eat('.');
    }

    // Between date and time.
    c.eat(',');
    let gap = c.spaces();
    for word in DATE_TIME_WORDS {
        let save = c.i;
        if c.eat_str(word) && c.spaces() > 0 {
            break;
        }
        c.i = save;
    }
    if gap == 0 && !c.peek().is_some_and(|ch| ch.is_ascii_digit()) {
        return None;
    }

    // Time.
    let (hour, _) = c.number(2)?;
    let time_sep = c.bump()?;
    if !matches!(time_sep, ':' | '.') {
        return None;
    }
    let (minute, wm) = c.number(2)?;
    if wm != 2 {
        return None;
    }
    let mut second = 0;
    let save = c.i;
    if c.eat(time_sep) {
        match c.number(2) {
            Some((s, 2)) => second = s,
            _ => c.i = save,
        }
    }

    // 12-hour marker: AM, am, a.m., a. m., a.m, with any kind of space before and inside.
    let mut pm = None;
    let save = c.i;
    if c.spaces() > 0 {
        let m = c.peek().map(|ch| ch.to_ascii_lowercase());
        if matches!(m, Some('a' | 'p')) {
            let is_pm = m == Some('p');
            c.bump();
            c.eat('.');
            c.spaces();
            if c.peek().map(|ch| ch.to_ascii_lowercase()) == Some('m') {
                c.bump();
                c.eat('.');
                // The marker must end here.
                if c.peek()
                    .is_none_or(|ch| is_space(ch) || ch == ']' || ch == ':' || ch == '-')
                {
                    pm = Some(is_pm);
                }
            }
        }
        if pm.is_none() {
            c.i = save;
        }
    }
    let hour = match pm {
        None if hour > 23 => return None,
        None => hour,
        Some(_) if hour > 12 => return None,
        Some(false) => hour % 12,
        Some(true) => hour % 12 + 12,
    };
    if minute > 59 || second > 59 {
        return None;
    }
    let timestamp = &body[ts_start..c.i];

    let separator = if bracket {
        if !c.eat(']') {
            return None;
        }
        c.spaces();
        Separator::Space
    } else {
        let save = c.i;
        let spaced = c.spaces() > 0;
        if spaced && (c.eat('-') || c.eat('–')) && c.spaces() > 0 {
            Separator::Dash
        } else {
            c.i = save;
            if c.eat(':') && c.spaces() > 0 {
                Separator::Colon
            } else if spaced {
                c.i = save;
                c.spaces();
                Separator::Space
            } else {
                return None;
            }
        }
    };
    Some(Header {
        fields: [a, b, d],
        widths,
        hour,
        minute,
        second,
        layout: Layout {
            bracket,
            date_sep,
            time_sep,
            twelve_hour: pm.is_some(),
            separator,
        },
        timestamp,
        rest: &body[c.i..],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn h(line: &str) -> Header<'_> {
        parse(line).unwrap_or_else(|| panic!("not a header: {line:?}"))
    }

    #[test]
    fn android_24h() {
        let x = h("01/01/19, 11:25 - John Doe: Lorem ipsum");
        assert_eq!(x.fields, [1, 1, 19]);
        assert_eq!((x.hour, x.minute), (11, 25));
        assert_eq!(x.layout.separator, Separator::Dash);
        assert_eq!(x.timestamp, "01/01/19, 11:25");
        assert_eq!(x.rest, "John Doe: Lorem ipsum");
    }

    #[test]
    fn twelve_hour_markers_in_every_spelling() {
        for (line, hour) in [
            ("9/25/26, 2:22\u{202F}PM - Sam: hello", 14),
            ("20/6/2017 8:28 p.\u{00A0}m. - Michelle: test", 20),
            ("01/01/2019, 11:25 a. m. - John Doe: x", 11),
            ("06/20/2020, 00:08 a. m. - +12 345 578 created group", 0),
            ("12/20/2021, 12:10 p. m. - X: y", 12),
            ("12/20/2021, 12:10 a.m. - X: y", 0),
            ("3/6/18, 1:55 p.m. - a: m", 13),
            ("03-06-2018, 01.55 PM - a: m", 13),
            ("[3/6/18 1:55:00 p. m.] a: m", 13),
        ] {
            let x = h(line);
            assert_eq!(x.hour, hour, "{line}");
            assert!(x.layout.twelve_hour, "{line}");
        }
    }

    #[test]
    fn ios_brackets_with_marks_and_seconds() {
        let x = h("\u{200E}[23/10/21, 18:44:02] Iago: \u{200E}sticker omitted");
        assert!(x.layout.bracket);
        assert_eq!((x.hour, x.minute, x.second), (18, 44, 2));
        assert_eq!(x.rest, "Iago: \u{200E}sticker omitted");
        assert_eq!(x.timestamp, "23/10/21, 18:44:02");
    }

    #[test]
    fn old_and_regional_layouts() {
        let x = h("13.06.18 21.25.15: a: m");
        assert_eq!(x.layout.separator, Separator::Colon);
        assert_eq!(x.rest, "a: m");
        let x = h("13.6.2018 klo 21.25.15 - a: m");
        assert_eq!((x.fields, x.hour, x.second), ([13, 6, 2018], 21, 15));
        let x = h("13. 6. 2018. 21:25:15 a: m");
        assert_eq!(x.layout.separator, Separator::Space);
        assert_eq!(x.rest, "a: m");
        let x = h("12/07/2017 à 22:35 - a: m");
        assert_eq!(x.hour, 22);
        let x = h("[06/2018/13, 21:25:15] a: m");
        assert_eq!(x.widths, [2, 4, 2]);
        let x = h("2019/01/01, 11:25 - x: y");
        assert_eq!(x.widths, [4, 2, 2]);
    }

    #[test]
    fn continuation_lines_are_not_headers() {
        for line in [
            "",
            "consectetur adipiscing elit.",
            "12/12/2018 is when we met",
            "12/12/2018, 10:00",
            "1.2.3",
            "2019/01/01, 25:00 - x: y",
            "2019/01/01, 11:75 - x: y",
            "123/01/01, 11:25 - x: y",
            "[01/01/19 11:25 missing bracket",
            "01/01/19, 11:25-x",
        ] {
            assert!(parse(line).is_none(), "{line:?}");
        }
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,60}") {
            let _ = parse(&s);
        }

        #[test]
        fn generated_android_headers_round_trip(d in 1u32..=28, m in 1u32..=12, y in 0u32..=99,
                                               hh in 0u32..=23, mm in 0u32..=59, name in "[A-Za-z][A-Za-z ]{0,10}[a-z]") {
            let line = format!("{d:02}/{m:02}/{y:02}, {hh:02}:{mm:02} - {name}: hi");
            let x = parse(&line).unwrap();
            prop_assert_eq!(x.fields, [d, m, y]);
            prop_assert_eq!((x.hour, x.minute), (hh, mm));
            prop_assert_eq!(x.rest, format!("{name}: hi"));
        }

        #[test]
        fn generated_12h_headers_map_to_24h(h12 in 1u32..=12, mm in 0u32..=59, pm in any::<bool>(),
                                            space in prop::sample::select(vec![" ", "\u{202F}", "\u{00A0}"]),
                                            marker in prop::sample::select(vec!["AM", "am", "a.m.", "a. m."])) {
            let marker = if pm { marker.replace('a', "p").replace('A', "P") } else { marker.to_string() };
            let line = format!("[1/2/2020, {h12}:{mm:02}:00{space}{marker}] A: b");
            let x = parse(&line).unwrap();
            let want = if pm { h12 % 12 + 12 } else { h12 % 12 };
            prop_assert_eq!(x.hour, want);
        }
    }
}
