//! Running a query: the parsed query becomes a tantivy query (filters that name people,
//! conversations and tags are resolved through the archive), then one pass over the index
//! gives the total, the page of hits and the facets; snippets are cut from the archive's text.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Bound;
use std::time::Instant;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::columnar::Column;
use tantivy::query::{
    AllQuery, BooleanQuery, EmptyQuery, FuzzyTermQuery, Occur, PhrasePrefixQuery, PhraseQuery,
    Query, RangeQuery, TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocId, Order, Score, SegmentOrdinal, SegmentReader, Term};
use ts_rs::TS;

use super::query::{self as q, Filter, Node};
use super::{app_code, index_error, kind_code, tokenizer, Fields, SearchIndex, APPS};
use crate::archive::query::rfc3339;
use crate::error::{Error, Result};
use crate::import::zone;
use crate::import::MessageKind;

pub const DEFAULT_LIMIT: usize = 20;
pub const MAX_LIMIT: usize = 1000;
/// Values listed per facet (months are all listed).
const FACET_VALUES: usize = 20;
const SNIPPET_CHARS: usize = 180;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SortOrder {
    #[default]
    Relevance,
    Newest,
    Oldest,
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct SearchRequest {
    pub query: String,
    #[ts(type = "number | null")]
    pub limit: Option<u64>,
    #[ts(type = "number | null")]
    pub offset: Option<u64>,
    pub sort: SortOrder,
    /// Count facets over all matches (default true; off saves time when only hits are wanted).
    pub facets: Option<bool>,
    /// IANA zone that dates in the query and the month facet are read in (default: this
    /// computer's).
    pub tz: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SearchHit {
    pub message_id: String,
    pub conversation_id: String,
    pub conversation: String,
    pub app: String,
    pub sender: Option<String>,
    pub sent_at: String,
    pub kind: MessageKind,
    /// A piece of the message around the first match (the whole text when it is short).
    pub snippet: String,
    /// Matched words in `snippet`, as `[start, end)` offsets in Unicode characters.
    #[ts(type = "Array<[number, number]>")]
    pub highlights: Vec<[u32; 2]>,
    /// Relevance (0 when sorted by date).
    pub score: f32,
}

#[derive(Debug, Clone, Default, Serialize, TS)]
#[ts(export)]
pub struct Facets {
    #[ts(type = "Record<string, number>")]
    pub app: BTreeMap<String, u64>,
    #[ts(type = "Record<string, number>")]
    pub conversation: BTreeMap<String, u64>,
    #[ts(type = "Record<string, number>")]
    pub sender: BTreeMap<String, u64>,
    #[ts(type = "Record<string, number>")]
    pub month: BTreeMap<String, u64>,
    #[ts(type = "Record<string, number>")]
    pub tag: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SearchResults {
    pub query: String,
    #[ts(type = "number")]
    pub total: u64,
    pub took_ms: f64,
    #[ts(type = "number")]
    pub offset: u64,
    pub hits: Vec<SearchHit>,
    pub facets: Facets,
}

/// Folded words of a name or a query value, for loose matching of people and titles.
fn folded_words(s: &str) -> Vec<String> {
    tokenizer::tokens(s).into_iter().map(|t| t.text).collect()
}

/// Every word of `wanted` starts some word of `name`.
fn loose_match(wanted: &[String], name: &[String]) -> bool {
    !wanted.is_empty()
        && wanted
            .iter()
            .all(|w| name.iter().any(|n| n.starts_with(w.as_str())))
}

struct Compiler<'a> {
    conn: &'a Connection,
    fields: Fields,
    zone: Tz,
    /// Positive words, for highlighting.
    highlight: Vec<Highlight>,
}

#[derive(Debug, Clone)]
enum Highlight {
    Exact(String),
    Prefix(String),
    Fuzzy(String, u8),
}

fn set_query(field: Field, ids: impl IntoIterator<Item = i64>) -> Box<dyn Query> {
    let terms: Vec<Term> = ids
        .into_iter()
        .map(|id| Term::from_field_u64(field, id as u64))
        .collect();
    if terms.is_empty() {
        Box::new(EmptyQuery)
    } else {
        Box::new(TermSetQuery::new(terms))
    }
}

impl Compiler<'_> {
    fn instant(&self, day: NaiveDate) -> i64 {
        let midnight = day.and_hms_opt(0, 0, 0).expect("midnight exists");
        zone::to_utc(&self.zone, midnight).0.timestamp_millis()
    }

    fn range(&self, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Box<dyn Query> {
        let bound = |d: Option<NaiveDate>, incl: bool| match d {
            None => Bound::Unbounded,
            Some(d) => {
                let t = Term::from_field_i64(self.fields.sent_at, self.instant(d));
                if incl {
                    Bound::Included(t)
                } else {
                    Bound::Excluded(t)
                }
            }
        };
        Box::new(RangeQuery::new(bound(from, true), bound(to, false)))
    }

    /// A word or phrase over the text and attachment names.
    fn words(&mut self, text: &str, prefix: bool, fuzzy: Option<u8>) -> Option<Box<dyn Query>> {
        let toks: Vec<String> = folded_words(text);
        if toks.is_empty() {
            return None;
        }
        let per_field = |field: Field| -> Box<dyn Query> {
            let terms: Vec<Term> = toks
                .iter()
                .map(|t| Term::from_field_text(field, t))
                .collect();
            match (terms.len(), prefix, fuzzy) {
                (1, true, _) => Box::new(FuzzyTermQuery::new_prefix(terms[0].clone(), 0, true)),
                (1, false, Some(d)) => Box::new(FuzzyTermQuery::new(terms[0].clone(), d, true)),
                (1, false, None) => Box::new(TermQuery::new(
                    terms[0].clone(),
                    IndexRecordOption::WithFreqs,
                )),
                (_, true, _) => Box::new(PhrasePrefixQuery::new(terms)),
                _ => Box::new(PhraseQuery::new(terms)),
            }
        };
        let last = toks.len() - 1;
        for (i, t) in toks.iter().enumerate() {
            self.highlight.push(match (i == last, prefix, fuzzy) {
                (true, true, _) => Highlight::Prefix(t.clone()),
                (_, false, Some(d)) if toks.len() == 1 => Highlight::Fuzzy(t.clone(), d),
                _ => Highlight::Exact(t.clone()),
            });
        }
        Some(Box::new(BooleanQuery::new(vec![
            (Occur::Should, per_field(self.fields.text)),
            (Occur::Should, per_field(self.fields.attachment_names)),
        ])))
    }

    fn filter(&mut self, f: &Filter) -> Result<Box<dyn Query>> {
        let fl = self.fields;
        Ok(match f {
            Filter::From(who) => {
                let wanted = folded_words(who);
                let digits: String = who.chars().filter(char::is_ascii_digit).collect();
                let mut stmt = self
                    .conn
                    .prepare_cached("SELECT id, display_name, handle FROM participants")?;
                let mut ids = Vec::new();
                for row in stmt.query_map([], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                    ))
                })? {
                    let (id, name, handle) = row?;
                    let by_digits = digits.len() >= 6
                        && handle
                            .chars()
                            .filter(char::is_ascii_digit)
                            .collect::<String>()
                            .contains(&digits);
                    if by_digits
                        || loose_match(&wanted, &folded_words(&name))
                        || loose_match(&wanted, &folded_words(&handle))
                    {
                        ids.push(id);
                    }
                }
                set_query(fl.sender, ids)
            }
            Filter::In(what) => {
                let mut ids = Vec::new();
                if let Ok(id) = what.trim().parse::<i64>() {
                    ids.push(id);
                } else {
                    let wanted = folded_words(what);
                    let mut stmt = self
                        .conn
                        .prepare_cached("SELECT id, title FROM conversations")?;
                    for row in
                        stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?
                    {
                        let (id, title) = row?;
                        if loose_match(&wanted, &folded_words(&title)) {
                            ids.push(id);
                        }
                    }
                }
                set_query(fl.conversation, ids)
            }
            Filter::App(app) => {
                let code = app_code(app);
                if code == 0 {
                    Box::new(EmptyQuery)
                } else {
                    Box::new(TermQuery::new(
                        Term::from_field_u64(fl.app, code),
                        IndexRecordOption::Basic,
                    ))
                }
            }
            Filter::Tag(tag) => {
                let mut stmt = self
                    .conn
                    .prepare_cached("SELECT id FROM tags WHERE name = ?1 COLLATE NOCASE")?;
                let ids = stmt
                    .query_map([tag], |r| r.get::<_, i64>(0))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                set_query(fl.tags, ids)
            }
            Filter::Kind(kind) => {
                let k = MessageKind::parse(kind).unwrap_or(MessageKind::Text);
                Box::new(TermQuery::new(
                    Term::from_field_u64(fl.kind, kind_code(k)),
                    IndexRecordOption::Basic,
                ))
            }
            Filter::HasAttachment => Box::new(TermQuery::new(
                Term::from_field_u64(fl.has_attachment, 1),
                IndexRecordOption::Basic,
            )),
            Filter::Before(p) => self.range(None, Some(p.start)),
            Filter::After(p) => self.range(Some(p.start), None),
            Filter::Within(a, b) => self.range(Some(a.start), Some(b.end)),
        })
    }

    /// `None` when the node holds nothing to search for (punctuation only).
    fn compile(&mut self, node: &Node, negated: bool) -> Result<Option<Box<dyn Query>>> {
        let keep = |c: &mut Self, f: &dyn Fn(&mut Self) -> Option<Box<dyn Query>>| {
            if negated {
                // Words under NOT are not highlighted.
                let saved = c.highlight.len();
                let out = f(c);
                c.highlight.truncate(saved);
                out
            } else {
                f(c)
            }
        };
        Ok(match node {
            Node::Term {
                text,
                prefix,
                fuzzy,
            } => keep(self, &|c: &mut Self| c.words(text, *prefix, *fuzzy)),
            Node::Phrase(p) => keep(self, &|c: &mut Self| c.words(p, false, None)),
            Node::Filter(f) => Some(self.filter(f)?),
            Node::Not(inner) => match self.compile(inner, !negated)? {
                Some(q) => Some(Box::new(BooleanQuery::new(vec![
                    (Occur::Must, Box::new(AllQuery) as Box<dyn Query>),
                    (Occur::MustNot, q),
                ]))),
                None => None,
            },
            Node::And(parts) => {
                let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                for p in parts {
                    match p {
                        Node::Not(inner) => {
                            if let Some(q) = self.compile(inner, !negated)? {
                                clauses.push((Occur::MustNot, q));
                            }
                        }
                        other => {
                            if let Some(q) = self.compile(other, negated)? {
                                clauses.push((Occur::Must, q));
                            }
                        }
                    }
                }
                if clauses.is_empty() {
                    None
                } else {
                    if clauses.iter().all(|(o, _)| *o == Occur::MustNot) {
                        clauses.push((Occur::Must, Box::new(AllQuery)));
                    }
                    Some(Box::new(BooleanQuery::new(clauses)))
                }
            }
            Node::Or(parts) => {
                let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                for p in parts {
                    match self.compile(p, negated)? {
                        Some(q) => clauses.push((Occur::Should, q)),
                        // A part that matches anything makes the whole OR match anything.
                        None => return Ok(None),
                    }
                }
                Some(Box::new(BooleanQuery::new(clauses)))
            }
        })
    }
}

/// Counts per facet value over every matching message.
struct FacetCollector {
    month_zone: Tz,
}

#[derive(Default)]
struct FacetCounts {
    app: HashMap<u64, u64>,
    conversation: HashMap<u64, u64>,
    sender: HashMap<u64, u64>,
    month: HashMap<u32, u64>,
    tag: HashMap<u64, u64>,
}

impl FacetCounts {
    fn merge(&mut self, o: FacetCounts) {
        fn add<K: std::hash::Hash + Eq>(a: &mut HashMap<K, u64>, b: HashMap<K, u64>) {
            for (k, v) in b {
                *a.entry(k).or_default() += v;
            }
        }
        add(&mut self.app, o.app);
        add(&mut self.conversation, o.conversation);
        add(&mut self.sender, o.sender);
        add(&mut self.month, o.month);
        add(&mut self.tag, o.tag);
    }
}

struct FacetSegment {
    zone: Tz,
    app: Column<u64>,
    conversation: Column<u64>,
    sender: Column<u64>,
    sent_at: Column<i64>,
    tags: Column<u64>,
    /// Month (yyyymm) of each 15-minute slot seen (every zone offset is a multiple of 15 min).
    months: HashMap<i64, u32>,
    counts: FacetCounts,
}

impl Collector for FacetCollector {
    type Fruit = FacetCountsFruit;
    type Child = FacetSegment;

    fn for_segment(&self, _: SegmentOrdinal, seg: &SegmentReader) -> tantivy::Result<FacetSegment> {
        let ff = seg.fast_fields();
        Ok(FacetSegment {
            zone: self.month_zone,
            app: ff.u64("app")?,
            conversation: ff.u64("conversation")?,
            sender: ff.u64("sender")?,
            sent_at: ff.i64("sent_at")?,
            tags: ff.u64("tags")?,
            months: HashMap::new(),
            counts: FacetCounts::default(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<FacetCountsFruit>) -> tantivy::Result<FacetCountsFruit> {
        let mut all = FacetCounts::default();
        for f in fruits {
            all.merge(f.0);
        }
        Ok(FacetCountsFruit(all))
    }
}

/// The merged counts (a newtype so it can be a collector's fruit).
pub struct FacetCountsFruit(FacetCounts);

impl SegmentCollector for FacetSegment {
    type Fruit = FacetCountsFruit;

    fn collect(&mut self, doc: DocId, _: Score) {
        let c = &mut self.counts;
        if let Some(v) = self.app.first(doc) {
            *c.app.entry(v).or_default() += 1;
        }
        if let Some(v) = self.conversation.first(doc) {
            *c.conversation.entry(v).or_default() += 1;
        }
        if let Some(v) = self.sender.first(doc) {
            if v != 0 {
                *c.sender.entry(v).or_default() += 1;
            }
        }
        for t in self.tags.values_for_doc(doc) {
            *c.tag.entry(t).or_default() += 1;
        }
        if let Some(ms) = self.sent_at.first(doc) {
            let zone = self.zone;
            let month = *self
                .months
                .entry(ms.div_euclid(900_000))
                .or_insert_with(|| {
                    let t = DateTime::<Utc>::from_timestamp_millis(ms)
                        .unwrap_or_default()
                        .with_timezone(&zone);
                    t.year() as u32 * 100 + t.month()
                });
            *c.month.entry(month).or_default() += 1;
        }
    }

    fn harvest(self) -> FacetCountsFruit {
        FacetCountsFruit(self.counts)
    }
}

/// Marks the words of `text` that match, and cuts a snippet around the first match.
pub fn snippet(text: &str, highlight: &[HighlightTerm]) -> (String, Vec<[u32; 2]>) {
    let toks = tokenizer::tokens(text);
    let matches: Vec<(usize, usize)> = toks
        .iter()
        .filter(|t| highlight.iter().any(|h| h.matches(&t.text)))
        .map(|t| (t.offset_from, t.offset_to))
        .collect();
    let total_chars = text.chars().count();
    // The window, in bytes: from a little before the first match.
    let (from, to) = if total_chars <= SNIPPET_CHARS {
        (0, text.len())
    } else {
        let anchor = matches.first().map_or(0, |m| m.0);
        let before: usize = text[..anchor]
            .chars()
            .rev()
            .take(40)
            .map(char::len_utf8)
            .sum();
        let start = anchor - before;
        let end = start
            + text[start..]
                .chars()
                .take(SNIPPET_CHARS)
                .map(char::len_utf8)
                .sum::<usize>();
        (start, end)
    };
    let fragment = &text[from..to];
    let to_chars = |byte: usize| text[from..byte].chars().count() as u32;
    let mut ranges = Vec::new();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (a, b) in matches {
        if a >= from && b <= to {
            match merged.last_mut() {
                Some(last) if a <= last.1 => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
    }
    for (a, b) in merged {
        ranges.push([to_chars(a), to_chars(b)]);
    }
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    out.push_str(fragment);
    if to < text.len() {
        out.push('…');
    }
    if from > 0 {
        for r in &mut ranges {
            r[0] += 1;
            r[1] += 1;
        }
    }
    (out, ranges)
}

/// A normalised word to highlight.
#[derive(Debug, Clone)]
pub struct HighlightTerm(Highlight);

impl HighlightTerm {
    fn matches(&self, token: &str) -> bool {
        match &self.0 {
            Highlight::Exact(w) => token == w,
            Highlight::Prefix(p) => token.starts_with(p.as_str()),
            Highlight::Fuzzy(w, d) => edit_distance(token, w) <= usize::from(*d),
        }
    }
}

/// Damerau-Levenshtein (optimal string alignment) distance, as tantivy's fuzzy query counts.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > 2 {
        return 3;
    }
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

/// A parsed and compiled query, ready to run.
pub struct Compiled {
    pub query: Box<dyn Query>,
    pub highlight: Vec<HighlightTerm>,
}

/// Checks that a query parses (without touching the index).
pub fn check_query(text: &str) -> Result<()> {
    q::parse(text).map(|_| ()).map_err(|e| Error::InvalidQuery {
        position: e.position,
        message: e.message,
    })
}

pub fn compile(conn: &Connection, fields: Fields, text: &str, tz: Tz) -> Result<Compiled> {
    let ast = q::parse(text).map_err(|e| Error::InvalidQuery {
        position: e.position,
        message: e.message,
    })?;
    let mut c = Compiler {
        conn,
        fields,
        zone: tz,
        highlight: Vec::new(),
    };
    let query = c
        .compile(&ast, false)?
        .unwrap_or_else(|| Box::new(AllQuery));
    Ok(Compiled {
        query,
        highlight: c.highlight.into_iter().map(HighlightTerm).collect(),
    })
}

fn month_label(m: u32) -> String {
    format!("{:04}-{:02}", m / 100, m % 100)
}

impl SearchIndex {
    pub fn search(&self, conn: &Connection, req: &SearchRequest) -> Result<SearchResults> {
        let started = Instant::now();
        let tz = match &req.tz {
            Some(name) => zone::parse_zone(name)?,
            None => zone::system_zone().unwrap_or(chrono_tz::UTC),
        };
        let limit = req
            .limit
            .map_or(DEFAULT_LIMIT, |l| l as usize)
            .clamp(1, MAX_LIMIT);
        let offset = req.offset.unwrap_or(0) as usize;
        let compiled = compile(conn, *self.fields(), &req.query, tz)?;
        let searcher = self.reader().searcher();
        let facets = req
            .facets
            .unwrap_or(true)
            .then_some(FacetCollector { month_zone: tz });
        let page: Vec<(f32, DocAddress)>;
        let total;
        let counts;
        match req.sort {
            SortOrder::Relevance => {
                let top = TopDocs::with_limit(limit)
                    .and_offset(offset)
                    .order_by_score();
                let (n, hits, f) = searcher
                    .search(&compiled.query, &(Count, top, facets))
                    .map_err(index_error)?;
                (total, counts) = (n, f.map(|f| f.0).unwrap_or_default());
                page = hits;
            }
            SortOrder::Newest | SortOrder::Oldest => {
                let order = if req.sort == SortOrder::Newest {
                    Order::Desc
                } else {
                    Order::Asc
                };
                let top = TopDocs::with_limit(limit)
                    .and_offset(offset)
                    .order_by_fast_field::<i64>("sent_at", order);
                let (n, hits, f) = searcher
                    .search(&compiled.query, &(Count, top, facets))
                    .map_err(index_error)?;
                (total, counts) = (n, f.map(|f| f.0).unwrap_or_default());
                page = hits.into_iter().map(|(_, a)| (0.0, a)).collect();
            }
        }
        // Message ids of the page, then their rows from the archive.
        let mut ids = Vec::with_capacity(page.len());
        for (score, addr) in &page {
            let seg = searcher.segment_reader(addr.segment_ord);
            let col = seg.fast_fields().u64("id").map_err(index_error)?;
            if let Some(id) = col.first(addr.doc_id) {
                ids.push((id as i64, *score));
            }
        }
        let hits = self.hits(conn, &ids, &compiled.highlight)?;
        let facets = self.facet_labels(conn, counts)?;
        Ok(SearchResults {
            query: req.query.clone(),
            total: total as u64,
            took_ms: (started.elapsed().as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0,
            offset: offset as u64,
            hits,
            facets,
        })
    }

    fn hits(
        &self,
        conn: &Connection,
        ids: &[(i64, f32)],
        hl: &[HighlightTerm],
    ) -> Result<Vec<SearchHit>> {
        let mut stmt = conn.prepare_cached(
            "SELECT m.conversation_id, c.title, c.app, p.display_name, m.sent_at, m.kind, m.body
             FROM messages m JOIN conversations c ON c.id = m.conversation_id
             LEFT JOIN participants p ON p.id = m.sender_id WHERE m.id = ?1",
        )?;
        let mut out = Vec::with_capacity(ids.len());
        for (id, score) in ids {
            let row = stmt.query_row([id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                ))
            });
            let Ok((conv, title, app, sender, sent_at, kind, body)) = row else {
                // In the index but no longer in the archive: `verify` reports it.
                continue;
            };
            let (mut cut, mut marks) = snippet(&body, hl);
            if marks.is_empty() && !hl.is_empty() {
                // The match may be in an attachment's name: show that name instead.
                let mut names = conn.prepare_cached(
                    "SELECT name FROM attachments WHERE message_id = ?1 ORDER BY id",
                )?;
                let names: Vec<String> = names
                    .query_map([id], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                for name in names {
                    let (s, h) = snippet(&format!("📎 {name}"), hl);
                    if !h.is_empty() {
                        (cut, marks) = (s, h);
                        break;
                    }
                }
            }
            out.push(SearchHit {
                message_id: id.to_string(),
                conversation_id: conv.to_string(),
                conversation: title,
                app,
                sender,
                sent_at: rfc3339(sent_at),
                kind: MessageKind::parse(&kind).unwrap_or(MessageKind::Text),
                snippet: cut,
                highlights: marks,
                score: *score,
            });
        }
        Ok(out)
    }

    fn facet_labels(&self, conn: &Connection, c: FacetCounts) -> Result<Facets> {
        fn top<K: Copy + Ord>(m: HashMap<K, u64>, n: usize) -> Vec<(K, u64)> {
            let mut v: Vec<(K, u64)> = m.into_iter().collect();
            v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            v.truncate(n);
            v
        }
        let mut f = Facets::default();
        for (code, n) in top(c.app, FACET_VALUES) {
            let name = APPS.get(code as usize).copied().unwrap_or("other");
            f.app.insert(name.to_string(), n);
        }
        for (m, n) in c.month {
            f.month.insert(month_label(m), n);
        }
        let label = |sql: &str, id: u64| -> Result<String> {
            Ok(conn
                .prepare_cached(sql)?
                .query_row([id as i64], |r| r.get::<_, String>(0))
                .unwrap_or_else(|_| format!("#{id}")))
        };
        let named =
            |out: &mut BTreeMap<String, u64>, items: Vec<(u64, u64)>, sql: &str| -> Result<()> {
                let mut seen: HashSet<String> = HashSet::new();
                for (id, n) in items {
                    let mut name = label(sql, id)?;
                    if !seen.insert(name.clone()) {
                        name = format!("{name} #{id}");
                    }
                    out.insert(name, n);
                }
                Ok(())
            };
        named(
            &mut f.conversation,
            top(c.conversation, FACET_VALUES),
            "SELECT title FROM conversations WHERE id = ?1",
        )?;
        named(
            &mut f.sender,
            top(c.sender, FACET_VALUES),
            "SELECT display_name FROM participants WHERE id = ?1",
        )?;
        named(
            &mut f.tag,
            top(c.tag, FACET_VALUES),
            "SELECT name FROM tags WHERE id = ?1",
        )?;
        Ok(f)
    }
}

/// The message ids of every document a query matches.
struct IdCollector;

struct IdSegment {
    ids: Column<u64>,
    out: Vec<i64>,
}

impl Collector for IdCollector {
    type Fruit = Vec<i64>;
    type Child = IdSegment;

    fn for_segment(&self, _: SegmentOrdinal, seg: &SegmentReader) -> tantivy::Result<IdSegment> {
        Ok(IdSegment {
            ids: seg.fast_fields().u64("id")?,
            out: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<i64>>) -> tantivy::Result<Vec<i64>> {
        let mut all: Vec<i64> = fruits.into_iter().flatten().collect();
        all.sort_unstable();
        Ok(all)
    }
}

impl SegmentCollector for IdSegment {
    type Fruit = Vec<i64>;

    fn collect(&mut self, doc: DocId, _: Score) {
        if let Some(id) = self.ids.first(doc) {
            self.out.push(id as i64);
        }
    }

    fn harvest(self) -> Vec<i64> {
        self.out
    }
}

impl SearchIndex {
    /// Every message a query matches, as sorted ids (policies and holds select with this).
    /// Dates in the query are read in `tz`.
    pub fn matching_ids(&self, conn: &Connection, query: &str, tz: Tz) -> Result<Vec<i64>> {
        let compiled = compile(conn, *self.fields(), query, tz)?;
        self.reader()
            .searcher()
            .search(&compiled.query, &IdCollector)
            .map_err(index_error)
    }

    /// Every message carrying none of the given tags (the untriaged, for the default policy).
    pub fn ids_without_tags(&self, tags: &[i64]) -> Result<Vec<i64>> {
        let terms = tags
            .iter()
            .map(|t| Term::from_field_u64(self.fields().tags, *t as u64));
        let query = BooleanQuery::new(vec![
            (Occur::Must, Box::new(AllQuery) as Box<dyn Query>),
            (Occur::MustNot, Box::new(TermSetQuery::new(terms))),
        ]);
        self.reader()
            .searcher()
            .search(&query, &IdCollector)
            .map_err(index_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_mark_matches_in_characters() {
        let h = vec![HighlightTerm(Highlight::Exact("muller".into()))];
        let (s, r) = snippet("Frau Müller sagt: MÜLLER!", &h);
        assert_eq!(s, "Frau Müller sagt: MÜLLER!");
        let chars: Vec<char> = s.chars().collect();
        let words: Vec<String> = r
            .iter()
            .map(|[a, b]| chars[*a as usize..*b as usize].iter().collect())
            .collect();
        assert_eq!(words, ["Müller", "MÜLLER"]);
    }

    #[test]
    fn long_texts_are_cut_around_the_first_match() {
        let text = format!("{} the budget line {}", "x ".repeat(200), "y ".repeat(200));
        let h = vec![HighlightTerm(Highlight::Prefix("budg".into()))];
        let (s, r) = snippet(&text, &h);
        assert!(s.starts_with('…') && s.ends_with('…'));
        assert!(s.chars().count() <= SNIPPET_CHARS + 2);
        let chars: Vec<char> = s.chars().collect();
        let [a, b] = r[0];
        assert_eq!(
            chars[a as usize..b as usize].iter().collect::<String>(),
            "budget"
        );
    }

    #[test]
    fn fuzzy_highlights_within_the_edit_distance() {
        assert_eq!(edit_distance("recieve", "receive"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        let h = HighlightTerm(Highlight::Fuzzy("recieve".into(), 1));
        assert!(h.matches("receive"));
        assert!(!h.matches("retrieve"));
    }
}
