//! The query language records officers type (README, "Searching"):
//!
//! ```text
//! budget approval                 every word must match
//! "site meeting"                  an exact phrase
//! invoice OR quote                either
//! contract -draft   NOT draft     without
//! (invoice OR quote) -draft       grouping
//! procure*   recieve~   recieve~2 prefix, fuzzy (1 or 2 edits)
//! from:priya  in:"Northgate depot"  app:whatsapp  tag:business  kind:media  has:attachment
//! before:2024-03-01  after:2024-01  on:2024-02-29  date:2024-01..2024-03
//! ```
//!
//! Parsed by hand into an AST; every error carries the character position it is about.

use chrono::NaiveDate;

/// A filter a query can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterName {
    From,
    In,
    App,
    Tag,
    Kind,
    Has,
    Before,
    After,
    On,
    Date,
}

impl FilterName {
    pub const ALL: [FilterName; 10] = [
        FilterName::From,
        FilterName::In,
        FilterName::App,
        FilterName::Tag,
        FilterName::Kind,
        FilterName::Has,
        FilterName::Before,
        FilterName::After,
        FilterName::On,
        FilterName::Date,
    ];

    pub fn name(self) -> &'static str {
        match self {
            FilterName::From => "from",
            FilterName::In => "in",
            FilterName::App => "app",
            FilterName::Tag => "tag",
            FilterName::Kind => "kind",
            FilterName::Has => "has",
            FilterName::Before => "before",
            FilterName::After => "after",
            FilterName::On => "on",
            FilterName::Date => "date",
        }
    }

    fn parse(s: &str) -> Option<FilterName> {
        FilterName::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(s))
    }
}

/// A calendar period written in a query: a year, a month or a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: NaiveDate,
    /// The first day after the period.
    pub end: NaiveDate,
}

impl Period {
    fn parse(s: &str) -> Option<Period> {
        let parts: Vec<&str> = s.split('-').collect();
        let num = |p: &str, len: usize| -> Option<u32> {
            (p.len() == len && p.bytes().all(|b| b.is_ascii_digit()))
                .then(|| p.parse().ok())
                .flatten()
        };
        match parts.as_slice() {
            [y] => {
                let y = num(y, 4)? as i32;
                Some(Period {
                    start: NaiveDate::from_ymd_opt(y, 1, 1)?,
                    end: NaiveDate::from_ymd_opt(y + 1, 1, 1)?,
                })
            }
            [y, m] => {
                let (y, m) = (num(y, 4)? as i32, num(m, 2)?);
                let start = NaiveDate::from_ymd_opt(y, m, 1)?;
                let end = if m == 12 {
                    NaiveDate::from_ymd_opt(y + 1, 1, 1)?
                } else {
                    NaiveDate::from_ymd_opt(y, m + 1, 1)?
                };
                Some(Period { start, end })
            }
            [y, m, d] => {
                let start = NaiveDate::from_ymd_opt(num(y, 4)? as i32, num(m, 2)?, num(d, 2)?)?;
                Some(Period {
                    start,
                    end: start.succ_opt()?,
                })
            }
            _ => None,
        }
    }
}

/// What a filter's value means, checked when the query is parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    /// `from:` a person (name, phone, e-mail or handle; matched loosely).
    From(String),
    /// `in:` a conversation (its id, or words of its title).
    In(String),
    App(String),
    Tag(String),
    Kind(String),
    HasAttachment,
    /// Messages sent before the start of the period.
    Before(Period),
    /// Messages sent from the start of the period on.
    After(Period),
    /// Messages sent within `start..end` of the first period to the end of the second.
    Within(Period, Period),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// A word; `prefix` for `word*`, `fuzzy` edits for `word~N`.
    Term {
        text: String,
        prefix: bool,
        fuzzy: Option<u8>,
    },
    Phrase(String),
    Filter(Filter),
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    /// 0-based position, in characters, of what is wrong.
    pub position: usize,
    pub message: String,
}

impl std::fmt::Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (at character {})", self.message, self.position + 1)
    }
}

const KINDS: &[&str] = &["text", "system", "media", "deleted", "call"];

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Open,
    Close,
    Or,
    And,
    Not,
    Minus,
    Phrase(String),
    Word(String),
    Filter(FilterName, String, usize),
}

fn err<T>(position: usize, message: impl Into<String>) -> Result<T, QueryError> {
    Err(QueryError {
        position,
        message: message.into(),
    })
}

/// Splits the query into tokens with their character positions.
fn lex(q: &str) -> Result<Vec<(Tok, usize)>, QueryError> {
    let chars: Vec<char> = q.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let is_break = |c: char| c.is_whitespace() || c == '(' || c == ')' || c == '"';
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' {
            out.push((Tok::Open, i));
            i += 1;
        } else if c == ')' {
            out.push((Tok::Close, i));
            i += 1;
        } else if c == '"' {
            let start = i;
            let Some(len) = chars[i + 1..].iter().position(|c| *c == '"') else {
                return err(start, "this quote is never closed");
            };
            let phrase: String = chars[i + 1..i + 1 + len].iter().collect();
            out.push((Tok::Phrase(phrase), start));
            i += len + 2;
        } else if c == '-'
            && chars
                .get(i + 1)
                .is_some_and(|n| !n.is_whitespace() && *n != ')')
        {
            out.push((Tok::Minus, i));
            i += 1;
        } else {
            let start = i;
            while i < chars.len() && !is_break(chars[i]) {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            match word.as_str() {
                "OR" => out.push((Tok::Or, start)),
                "AND" => out.push((Tok::And, start)),
                "NOT" => out.push((Tok::Not, start)),
                _ => {
                    let filter = word
                        .split_once(':')
                        .and_then(|(name, v)| FilterName::parse(name).map(|f| (f, v)));
                    match filter {
                        Some((name, value)) => {
                            let value_pos = start + name.name().chars().count() + 1;
                            if value.is_empty() && chars.get(i) == Some(&'"') {
                                // from:"Priya Shah"
                                let Some(len) = chars[i + 1..].iter().position(|c| *c == '"')
                                else {
                                    return err(i, "this quote is never closed");
                                };
                                let v: String = chars[i + 1..i + 1 + len].iter().collect();
                                out.push((Tok::Filter(name, v, value_pos), start));
                                i += len + 2;
                            } else {
                                out.push((Tok::Filter(name, value.to_string(), value_pos), start));
                            }
                        }
                        None => out.push((Tok::Word(word), start)),
                    }
                }
            }
        }
    }
    Ok(out)
}

fn filter(name: FilterName, value: &str, pos: usize) -> Result<Filter, QueryError> {
    let value = value.trim();
    if value.is_empty() {
        return err(pos, format!("{}: needs a value", name.name()));
    }
    let period = |v: &str, at: usize| {
        Period::parse(v).ok_or(QueryError {
            position: at,
            message: format!("'{v}' is not a date: write 2024, 2024-03 or 2024-03-15"),
        })
    };
    Ok(match name {
        FilterName::From => Filter::From(value.to_string()),
        FilterName::In => Filter::In(value.to_string()),
        FilterName::App => Filter::App(value.to_ascii_lowercase()),
        FilterName::Tag => Filter::Tag(value.to_string()),
        FilterName::Kind => {
            let v = value.to_ascii_lowercase();
            if !KINDS.contains(&v.as_str()) {
                return err(pos, format!("kind: is one of {}", KINDS.join(", ")));
            }
            Filter::Kind(v)
        }
        FilterName::Has => {
            if !matches!(
                value.to_ascii_lowercase().as_str(),
                "attachment" | "attachments"
            ) {
                return err(pos, "has: takes 'attachment'");
            }
            Filter::HasAttachment
        }
        FilterName::Before => Filter::Before(period(value, pos)?),
        FilterName::After => Filter::After(period(value, pos)?),
        FilterName::On => {
            let p = period(value, pos)?;
            Filter::Within(p, p)
        }
        FilterName::Date => match value.split_once("..") {
            Some((a, b)) => {
                let from = period(a, pos)?;
                let to = period(b, pos + a.chars().count() + 2)?;
                if to.end <= from.start {
                    return err(pos, format!("date:{value} ends before it starts"));
                }
                Filter::Within(from, to)
            }
            None => {
                let p = period(value, pos)?;
                Filter::Within(p, p)
            }
        },
    })
}

fn term(word: &str, pos: usize) -> Result<Node, QueryError> {
    let (body, fuzzy) = match word.rfind('~') {
        Some(i) if i > 0 => {
            let n = &word[i + 1..];
            let d = match n {
                "" => 1,
                "1" => 1,
                "2" => 2,
                _ => {
                    return err(
                        pos + word[..i].chars().count(),
                        "~ takes 1 or 2 edits (word~ or word~2)",
                    )
                }
            };
            (&word[..i], Some(d))
        }
        _ => (word, None),
    };
    let (body, prefix) = match body.strip_suffix('*') {
        Some(b) if !b.is_empty() => (b, true),
        _ => (body, false),
    };
    if prefix && fuzzy.is_some() {
        return err(pos, "a word cannot be both a prefix (*) and fuzzy (~)");
    }
    Ok(Node::Term {
        text: body.to_string(),
        prefix,
        fuzzy,
    })
}

/// How deep parentheses and NOTs may nest: parsing, printing, compiling and dropping a query
/// recurse once per level, so a query of 20,000 `(` overflowed the stack (found by fuzzing).
pub const MAX_NESTING: usize = 100;

struct Parser {
    toks: Vec<(Tok, usize)>,
    i: usize,
    len: usize,
    /// Parentheses and NOTs open around the current token.
    depth: usize,
}

impl Parser {
    /// Enters one more level of nesting, for the `(` or NOT at `at`.
    fn nest(&mut self, at: usize) -> Result<(), QueryError> {
        if self.depth >= MAX_NESTING {
            return err(
                at,
                format!("the query nests more than {MAX_NESTING} levels of parentheses and NOT"),
            );
        }
        self.depth += 1;
        Ok(())
    }

    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.i).map(|(t, _)| t)
    }

    fn pos(&self) -> usize {
        self.toks.get(self.i).map_or(self.len, |(_, p)| *p)
    }

    fn or(&mut self) -> Result<Node, QueryError> {
        let mut parts = vec![self.and()?];
        while self.peek() == Some(&Tok::Or) {
            let at = self.pos();
            self.i += 1;
            if matches!(self.peek(), None | Some(Tok::Close | Tok::Or)) {
                return err(at, "OR needs something on both sides");
            }
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 {
            parts.pop().expect("one part")
        } else {
            Node::Or(parts)
        })
    }

    fn and(&mut self) -> Result<Node, QueryError> {
        let mut parts = Vec::new();
        loop {
            match self.peek() {
                None | Some(Tok::Close | Tok::Or) => break,
                Some(Tok::And) => {
                    let at = self.pos();
                    self.i += 1;
                    if parts.is_empty()
                        || matches!(self.peek(), None | Some(Tok::Close | Tok::Or | Tok::And))
                    {
                        return err(at, "AND needs something on both sides");
                    }
                }
                _ => parts.push(self.unary()?),
            }
        }
        match parts.len() {
            0 => err(
                self.pos(),
                match self.peek() {
                    Some(Tok::Or) => "OR needs something on both sides",
                    Some(Tok::Close) => "nothing to search for before ')'",
                    _ => "nothing to search for",
                },
            ),
            1 => Ok(parts.pop().expect("one part")),
            _ => Ok(Node::And(parts)),
        }
    }

    fn unary(&mut self) -> Result<Node, QueryError> {
        match self.peek() {
            Some(Tok::Not | Tok::Minus) => {
                let at = self.pos();
                self.i += 1;
                if matches!(self.peek(), None | Some(Tok::Close | Tok::Or | Tok::And)) {
                    return err(at, "NOT needs something after it");
                }
                self.nest(at)?;
                let inner = self.unary()?;
                self.depth -= 1;
                Ok(Node::Not(Box::new(inner)))
            }
            _ => self.primary(),
        }
    }

    fn primary(&mut self) -> Result<Node, QueryError> {
        let at = self.pos();
        let tok = self.toks.get(self.i).map(|(t, _)| t.clone());
        self.i += 1;
        match tok {
            Some(Tok::Open) => {
                if self.peek() == Some(&Tok::Close) {
                    return err(at, "empty parentheses");
                }
                self.nest(at)?;
                let inner = self.or()?;
                if self.peek() != Some(&Tok::Close) {
                    return err(at, "this '(' is never closed");
                }
                self.i += 1;
                self.depth -= 1;
                Ok(inner)
            }
            Some(Tok::Phrase(p)) => {
                if p.trim().is_empty() {
                    return err(at, "empty phrase");
                }
                Ok(Node::Phrase(p))
            }
            Some(Tok::Filter(name, value, vpos)) => Ok(Node::Filter(filter(name, &value, vpos)?)),
            Some(Tok::Word(w)) => term(&w, at),
            Some(Tok::Close) => err(at, "')' without a matching '('"),
            _ => err(at, "nothing to search for"),
        }
    }
}

/// Parses a query. Words are joined by AND; `OR` binds looser than AND; `-`/`NOT` bind tightest.
pub fn parse(q: &str) -> Result<Node, QueryError> {
    let toks = lex(q)?;
    let len = q.chars().count();
    if toks.is_empty() {
        return err(0, "the query is empty");
    }
    let mut p = Parser {
        toks,
        i: 0,
        len,
        depth: 0,
    };
    let node = p.or()?;
    if p.i < p.toks.len() {
        let at = p.pos();
        return err(
            at,
            match p.peek() {
                Some(Tok::Close) => "')' without a matching '('",
                _ => "unexpected text",
            },
        );
    }
    Ok(node)
}

/// The canonical text of a query (parsing it gives the same AST back).
pub fn display(node: &Node) -> String {
    fn quote(v: &str) -> String {
        if v.contains(char::is_whitespace) || v.contains(['(', ')']) {
            format!("\"{v}\"")
        } else {
            v.to_string()
        }
    }
    fn period(p: &Period) -> String {
        p.start.format("%Y-%m-%d").to_string()
    }
    match node {
        Node::Term {
            text,
            prefix,
            fuzzy,
        } => {
            let mut s = text.clone();
            if *prefix {
                s.push('*');
            }
            if let Some(d) = fuzzy {
                s.push_str(&format!("~{d}"));
            }
            s
        }
        Node::Phrase(p) => format!("\"{p}\""),
        Node::Filter(f) => match f {
            Filter::From(v) => format!("from:{}", quote(v)),
            Filter::In(v) => format!("in:{}", quote(v)),
            Filter::App(v) => format!("app:{}", quote(v)),
            Filter::Tag(v) => format!("tag:{}", quote(v)),
            Filter::Kind(v) => format!("kind:{v}"),
            Filter::HasAttachment => "has:attachment".into(),
            Filter::Before(p) => format!("before:{}", period(p)),
            Filter::After(p) => format!("after:{}", period(p)),
            Filter::Within(a, b) => {
                let last = b.end.pred_opt().unwrap_or(b.end);
                format!("date:{}..{}", period(a), last.format("%Y-%m-%d"))
            }
        },
        Node::And(parts) => parts
            .iter()
            .map(|p| match p {
                Node::Or(_) => format!("({})", display(p)),
                _ => display(p),
            })
            .collect::<Vec<_>>()
            .join(" "),
        Node::Or(parts) => parts
            .iter()
            .map(|p| match p {
                Node::Or(_) => format!("({})", display(p)),
                _ => display(p),
            })
            .collect::<Vec<_>>()
            .join(" OR "),
        Node::Not(inner) => match inner.as_ref() {
            Node::And(_) | Node::Or(_) => format!("-({})", display(inner)),
            _ => format!("-{}", display(inner)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(s: &str) -> Node {
        Node::Term {
            text: s.into(),
            prefix: false,
            fuzzy: None,
        }
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn words_phrases_and_booleans() {
        assert_eq!(parse("budget").unwrap(), t("budget"));
        assert_eq!(parse("a b").unwrap(), Node::And(vec![t("a"), t("b")]));
        assert_eq!(parse("a AND b").unwrap(), Node::And(vec![t("a"), t("b")]));
        assert_eq!(
            parse("a b OR c").unwrap(),
            Node::Or(vec![Node::And(vec![t("a"), t("b")]), t("c")])
        );
        assert_eq!(
            parse("(invoice OR quote) -draft").unwrap(),
            Node::And(vec![
                Node::Or(vec![t("invoice"), t("quote")]),
                Node::Not(Box::new(t("draft")))
            ])
        );
        assert_eq!(parse("NOT a").unwrap(), Node::Not(Box::new(t("a"))));
        assert_eq!(
            parse("\"site meeting\" x").unwrap(),
            Node::And(vec![Node::Phrase("site meeting".into()), t("x")])
        );
        // A dash inside a word or alone is text, not NOT.
        assert_eq!(parse("e-mail").unwrap(), t("e-mail"));
        assert_eq!(
            parse("a - b").unwrap(),
            Node::And(vec![t("a"), t("-"), t("b")])
        );
        // Lower-case "or" is a word.
        assert_eq!(
            parse("a or b").unwrap(),
            Node::And(vec![t("a"), t("or"), t("b")])
        );
    }

    #[test]
    fn prefix_and_fuzzy() {
        let n = parse("procure* recieve~ recieve~2").unwrap();
        assert_eq!(
            n,
            Node::And(vec![
                Node::Term {
                    text: "procure".into(),
                    prefix: true,
                    fuzzy: None
                },
                Node::Term {
                    text: "recieve".into(),
                    prefix: false,
                    fuzzy: Some(1)
                },
                Node::Term {
                    text: "recieve".into(),
                    prefix: false,
                    fuzzy: Some(2)
                },
            ])
        );
        let e = parse("abc~7").unwrap_err();
        assert_eq!(e.position, 3);
    }

    #[test]
    fn filters_and_dates() {
        assert_eq!(
            parse("from:\"Priya Shah\" in:3 app:WhatsApp tag:business kind:media has:attachment")
                .unwrap(),
            Node::And(vec![
                Node::Filter(Filter::From("Priya Shah".into())),
                Node::Filter(Filter::In("3".into())),
                Node::Filter(Filter::App("whatsapp".into())),
                Node::Filter(Filter::Tag("business".into())),
                Node::Filter(Filter::Kind("media".into())),
                Node::Filter(Filter::HasAttachment),
            ])
        );
        let Node::Filter(Filter::Within(a, b)) = parse("date:2024-01..2024-03").unwrap() else {
            panic!()
        };
        assert_eq!((a.start, b.end), (day(2024, 1, 1), day(2024, 4, 1)));
        let Node::Filter(Filter::Before(p)) = parse("before:2024-03-01").unwrap() else {
            panic!()
        };
        assert_eq!(p.start, day(2024, 3, 1));
        let Node::Filter(Filter::Within(a, b)) = parse("on:2024-02-29").unwrap() else {
            panic!()
        };
        assert_eq!((a.start, b.end), (day(2024, 2, 29), day(2024, 3, 1)));
        let Node::Filter(Filter::After(p)) = parse("after:2024").unwrap() else {
            panic!()
        };
        assert_eq!(p.start, day(2024, 1, 1));
        // A colon in an ordinary word is not a filter.
        assert_eq!(parse("10:00").unwrap(), t("10:00"));
    }

    #[test]
    fn errors_point_at_the_problem() {
        for (q, pos, words) in [
            ("", 0, "empty"),
            ("a \"unclosed", 2, "never closed"),
            ("(a b", 0, "never closed"),
            ("a b)", 3, "without a matching"),
            ("a OR", 2, "both sides"),
            ("OR a", 0, "both sides"),
            ("a -", 2, "text"),
            ("before:2024-13-01", 7, "not a date"),
            ("on:yesterday", 3, "not a date"),
            ("kind:photo", 5, "kind: is one of"),
            ("has:link", 4, "attachment"),
            ("from:", 5, "needs a value"),
            ("date:2024-03..2024-01", 5, "ends before"),
            ("()", 0, "empty parentheses"),
            ("a NOT", 2, "NOT needs"),
        ] {
            match parse(q) {
                Err(e) => {
                    assert_eq!(e.position, pos, "{q}: {e}");
                    assert!(e.message.contains(words), "{q}: {e}");
                }
                Ok(n) if q == "a -" => assert_eq!(n, Node::And(vec![t("a"), t("-")])),
                Ok(n) => panic!("{q} parsed as {n:?}"),
            }
        }
    }

    fn word() -> impl Strategy<Value = String> {
        "[a-zA-Zéü0-9][a-zA-Zéü0-9]{0,7}"
            .prop_filter("keywords", |w| !matches!(w.as_str(), "OR" | "AND" | "NOT"))
    }

    fn node() -> impl Strategy<Value = Node> {
        let leaf = prop_oneof![
            (word(), any::<bool>(), prop::option::of(1u8..=2)).prop_map(|(text, prefix, fuzzy)| {
                Node::Term {
                    text,
                    prefix: prefix && fuzzy.is_none(),
                    fuzzy,
                }
            }),
            prop::collection::vec(word(), 1..3).prop_map(|w| Node::Phrase(w.join(" "))),
            word().prop_map(|w| Node::Filter(Filter::From(w))),
            word().prop_map(|w| Node::Filter(Filter::Tag(w))),
            Just(Node::Filter(Filter::HasAttachment)),
            (2000i32..2030, 1u32..=12, 1u32..=28).prop_map(|(y, m, d)| {
                let p = Period::parse(&format!("{y:04}-{m:02}-{d:02}")).unwrap();
                Node::Filter(Filter::Before(p))
            }),
        ];
        leaf.prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 2..4).prop_map(Node::And),
                prop::collection::vec(inner.clone(), 2..4).prop_map(Node::Or),
                inner.prop_map(|n| Node::Not(Box::new(n))),
            ]
        })
    }

    /// Flattens nested ANDs/ORs the way the parser builds them.
    fn normal(n: Node) -> Node {
        match n {
            Node::And(parts) => {
                let mut out = Vec::new();
                for p in parts.into_iter().map(normal) {
                    match p {
                        Node::And(inner) => out.extend(inner),
                        other => out.push(other),
                    }
                }
                Node::And(out)
            }
            Node::Or(parts) => Node::Or(parts.into_iter().map(normal).collect()),
            Node::Not(inner) => Node::Not(Box::new(normal(*inner))),
            other => other,
        }
    }

    #[test]
    fn nesting_is_bounded() {
        let ok = format!("{}a{}", "(".repeat(MAX_NESTING), ")".repeat(MAX_NESTING));
        assert_eq!(parse(&ok).unwrap(), t("a"));
        let nots = format!("{}a", "-".repeat(MAX_NESTING));
        assert!(parse(&nots).is_ok());
        for (q, at) in [
            (
                format!("x {}a{}", "(".repeat(20_000), ")".repeat(20_000)),
                2 + MAX_NESTING,
            ),
            (format!("{}a", "-".repeat(30_000)), MAX_NESTING),
            (format!("{}a", "NOT ".repeat(30_000)), 4 * MAX_NESTING),
        ] {
            let e = parse(&q).unwrap_err();
            assert_eq!(e.position, at, "{e}");
            assert!(e.message.contains("nests"), "{e}");
        }
    }

    proptest! {
        #[test]
        fn printed_queries_parse_back_to_the_same_tree(n in node()) {
            let text = display(&n);
            let parsed = parse(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
            prop_assert_eq!(normal(parsed), normal(n), "{}", text);
        }

        #[test]
        fn any_input_parses_or_fails_at_a_position_inside_it(q in "\\PC{0,40}") {
            match parse(&q) {
                Ok(_) => {}
                Err(e) => prop_assert!(e.position <= q.chars().count(), "{:?}", e),
            }
        }
    }
}
