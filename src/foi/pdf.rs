//! The PDF transcript of one produced conversation, written natively: no browser, no external
//! tool.
//!
//! The page is A4, print-friendly and chat-like: a header block (case reference, requester,
//! conversation, app, participants, the time zone, when it was produced), then one block per
//! message — sender, time and control number on a heading line, the text beside a thin grey bar,
//! then the attachments by name. Redaction markers (`[REDACTED s40(2)]`) are drawn as black boxes
//! with the marker in white; withheld messages show `[Withheld in full: s43]`; system messages
//! are grey italics. Every page carries `FOI-2026-014 — page 3 of 12` at its foot.
//!
//! # How it is built
//!
//! [`pdf_writer`] writes the PDF objects; the layout is done here, with the glyph advances that
//! [`ttf_parser`] reads from the vendored DejaVu Sans (regular and bold, `assets/fonts/`).
//! Layout runs first, into pages of drawing operations, so that the footer knows the page count;
//! the PDF is written after it.
//!
//! Each font is embedded as a CID-keyed TrueType font (`Type0` / `CIDFontType2`, `Identity-H`),
//! subset by [`subsetter`] to the glyphs the transcript uses. CIDs are given out **per
//! character**, not per glyph: CID *n* is the *n*-th distinct character written in that font, a
//! `CIDToGIDMap` stream maps it to its glyph in the subset, and the `ToUnicode` CMap maps it back
//! to the character. So the text layer is exact even where several characters share a glyph:
//! characters that DejaVu Sans lacks (most emoji) are drawn with the font's replacement glyph
//! (U+FFFD) yet extract as themselves, and invisible joiners / variation selectors take no room.
//!
//! There is no shaping and no bidirectional reordering: right-to-left scripts are drawn in
//! logical order (their text layer is still right). Lines break at spaces; a word longer than the
//! line breaks between characters (never before a combining mark or inside a joined sequence).

use std::io::Write as _;

use chrono::{DateTime, Utc};
use flate2::write::ZlibEncoder;
use flate2::Compression;
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Date, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use rustc_hash::FxHashMap;

use super::produced::{ProducedAttachment, ProducedConversation, ProducedMessage, ProductionInfo};
use crate::error::{Error, Result};

/// DejaVu Sans (Bitstream Vera licence: `assets/fonts/LICENSE-DejaVu.txt`).
const REGULAR_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const BOLD_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

// ---- Page geometry, in PostScript points (1/72 in). Layout y runs down from the page's top. ----

/// A4.
const PAGE_W: f32 = 595.276;
const PAGE_H: f32 = 841.89;
const MARGIN_X: f32 = 56.0;
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN_X;
/// Where content starts on a page (below the running header of pages 2..).
const CONTENT_TOP: f32 = 58.0;
/// Where content must end (above the footer).
const CONTENT_BOTTOM: f32 = PAGE_H - 54.0;
/// Baseline of the running header (pages 2..) and of the footer.
const RUNNING_HEAD_BASELINE: f32 = 36.0;
const FOOTER_BASELINE: f32 = PAGE_H - 30.0;

/// Message text sits right of a thin bar, this far in from the margin.
const BODY_INDENT: f32 = 12.0;
const BAR_X: f32 = MARGIN_X + 3.0;
const BAR_W: f32 = 1.5;
/// Space between two messages.
const MESSAGE_GAP: f32 = 7.0;
/// Width of the label column of the header block.
const LABEL_W: f32 = 100.0;

/// Line height as a multiple of the largest font size on the line.
const LEADING: f32 = 1.32;
/// DejaVu Sans' ascender and descender, in em (hhea: 1901 / -483 of 2048).
const ASCENT_EM: f32 = 0.928;
const DESCENT_EM: f32 = 0.236;
/// Horizontal padding inside a redaction box.
const BOX_PAD: f32 = 2.0;
/// Shear of the synthetic oblique (DejaVu Sans Oblique leans about 11°).
const OBLIQUE_SHEAR: f32 = 0.2;

const BODY_SIZE: f32 = 9.5;
const SENDER_SIZE: f32 = 9.0;
const META_SIZE: f32 = 8.0;
const HEADER_SIZE: f32 = 9.5;
const TITLE_SIZE: f32 = 16.0;

/// Text grey levels (0 = black, 1 = white).
const INK: f32 = 0.0;
const GREY: f32 = 0.38;
const LIGHT: f32 = 0.8;

/// The PDF transcript of `conversation`, as the bytes of a PDF file.
///
/// `info` gives the header facts and the footer's case reference. Message times are shown as
/// given (`sent_at` is already in the requester's zone). Fails only if an embedded font cannot
/// be read or subset, which would be a bug in the build.
pub fn transcript(info: &ProductionInfo, conversation: &ProducedConversation) -> Result<Vec<u8>> {
    let mut fonts = [
        Font::new(REGULAR_TTF, "DejaVuSans")?,
        Font::new(BOLD_TTF, "DejaVuSans-Bold")?,
    ];
    let pages = {
        let mut layout = Layout::new(&mut fonts, info, conversation);
        layout.header_block();
        if conversation.messages.is_empty() {
            let style = Style::plain(Weight::Regular, BODY_SIZE, GREY).oblique();
            let lines = layout.wrap(&Layout::tokens("No messages.", style), CONTENT_W);
            layout.place_lines(&lines, MARGIN_X, false);
        }
        for message in &conversation.messages {
            layout.message(message);
        }
        layout.finish()
    };
    write_pdf(&mut fonts, info, conversation, &pages)
}

// ---------------------------------------------------------------------------------------------
// Fonts
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Weight {
    Regular = 0,
    Bold = 1,
}

/// A character as written in one font: its CID and its advance (in 1/1000 em, PDF's unit).
#[derive(Clone, Copy)]
struct Glyph {
    cid: u16,
    width: f32,
}

/// One embedded font and the characters written with it so far.
struct Font {
    data: &'static [u8],
    face: ttf_parser::Face<'static>,
    /// PostScript name, without the subset tag.
    name: &'static str,
    /// 1000 / units per em.
    scale: f32,
    /// The glyph drawn for characters the font lacks (U+FFFD's, else `.notdef`).
    replacement: ttf_parser::GlyphId,
    /// Cache for the characters below U+0080, which are most of the text.
    ascii: [Option<Glyph>; 128],
    map: FxHashMap<char, Glyph>,
    /// Per CID: the original glyph and the character. CID 0 is `.notdef` and never written.
    cids: Vec<(u16, char)>,
    /// Per CID: the advance in 1/1000 em (the `/W` array).
    widths: Vec<f32>,
}

impl Font {
    fn new(data: &'static [u8], name: &'static str) -> Result<Self> {
        let face = ttf_parser::Face::parse(data, 0).map_err(|e| font_error(name, &e))?;
        let scale = 1000.0 / f32::from(face.units_per_em());
        let replacement = face
            .glyph_index('\u{FFFD}')
            .unwrap_or(ttf_parser::GlyphId(0));
        let notdef_width = face
            .glyph_hor_advance(ttf_parser::GlyphId(0))
            .map_or(0.0, |a| f32::from(a) * scale);
        Ok(Self {
            data,
            face,
            name,
            scale,
            replacement,
            ascii: [None; 128],
            map: FxHashMap::default(),
            cids: vec![(0, '\0')],
            widths: vec![notdef_width],
        })
    }

    /// The CID and advance of `c`, giving it a CID the first time it is seen.
    fn glyph(&mut self, c: char) -> Glyph {
        let code = c as usize;
        if code < 128 {
            if let Some(g) = self.ascii[code] {
                return g;
            }
        } else if let Some(&g) = self.map.get(&c) {
            return g;
        }
        let g = self.new_glyph(c);
        if code < 128 {
            self.ascii[code] = Some(g);
        } else {
            self.map.insert(c, g);
        }
        g
    }

    fn new_glyph(&mut self, c: char) -> Glyph {
        let (gid, width) = match self.face.glyph_index(c) {
            Some(gid) => (gid, self.advance(gid)),
            // Invisible format characters the font lacks take no room (drawn with the empty
            // glyph of the space).
            None if is_default_ignorable(c) => (
                self.face.glyph_index(' ').unwrap_or(ttf_parser::GlyphId(0)),
                0.0,
            ),
            None => (self.replacement, self.advance(self.replacement)),
        };
        // 65,535 distinct characters in one font would exhaust the CIDs: draw any further ones
        // as `.notdef` (a text that large does not occur; this only keeps it from failing).
        let Ok(cid) = u16::try_from(self.cids.len()) else {
            return Glyph {
                cid: 0,
                width: self.widths[0],
            };
        };
        self.cids.push((gid.0, c));
        self.widths.push(width);
        Glyph { cid, width }
    }

    fn advance(&self, gid: ttf_parser::GlyphId) -> f32 {
        self.face
            .glyph_hor_advance(gid)
            .map_or(0.0, |a| f32::from(a) * self.scale)
    }

    /// Width of `text` at `size` points.
    fn measure(&mut self, text: &str, size: f32) -> f32 {
        let mut units = 0.0;
        for c in text.chars() {
            units += self.glyph(c).width;
        }
        units * size / 1000.0
    }

    /// `text` as a string of 2-byte CIDs (`Identity-H`).
    fn encode(&mut self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            out.extend_from_slice(&self.glyph(c).cid.to_be_bytes());
        }
        out
    }
}

fn font_error(name: &str, e: &dyn std::fmt::Display) -> Error {
    Error::io(
        format!("assets/fonts/{name}.ttf"),
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("the PDF font cannot be used: {e}"),
        ),
    )
}

/// Characters that render as nothing by themselves: joiners, variation selectors, bidi marks,
/// tags, the byte-order mark.
fn is_default_ignorable(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FE00}'..='\u{FE0F}'
        | '\u{FEFF}' | '\u{E0000}'..='\u{E0FFF}')
}

/// Characters that must stay with the character before them when a word is broken: combining
/// marks, joiners, variation selectors, emoji modifiers and tags.
fn joins_previous(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}' | '\u{0483}'..='\u{0489}' | '\u{0591}'..='\u{05BD}'
        | '\u{0610}'..='\u{061A}' | '\u{064B}'..='\u{065F}' | '\u{0900}'..='\u{0903}'
        | '\u{093A}'..='\u{094F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}'
        | '\u{200C}' | '\u{200D}' | '\u{20D0}'..='\u{20FF}' | '\u{FE00}'..='\u{FE0F}'
        | '\u{FE20}'..='\u{FE2F}' | '\u{1F3FB}'..='\u{1F3FF}' | '\u{E0020}'..='\u{E007F}'
        | '\u{E0100}'..='\u{E01EF}')
}

// ---------------------------------------------------------------------------------------------
// Layout
// ---------------------------------------------------------------------------------------------

/// How a run of text is drawn.
#[derive(Clone, Copy, PartialEq, Debug)]
struct Style {
    weight: Weight,
    size: f32,
    /// Fill grey of the text.
    grey: f32,
    /// Synthetic italics (a sheared text matrix).
    oblique: bool,
    /// A black box behind white text: a redaction marker.
    boxed: bool,
}

impl Style {
    fn plain(weight: Weight, size: f32, grey: f32) -> Self {
        Self {
            weight,
            size,
            grey,
            oblique: false,
            boxed: false,
        }
    }

    fn oblique(self) -> Self {
        Self {
            oblique: true,
            ..self
        }
    }

    /// The style of a redaction marker inside text of this style.
    fn redaction(self) -> Self {
        Self {
            weight: Weight::Bold,
            grey: 1.0,
            oblique: false,
            boxed: true,
            ..self
        }
    }
}

/// A unit of text for line breaking.
#[derive(Debug)]
enum Token {
    /// Characters with no break opportunity inside (unless the word is wider than the line).
    Word(String, Style),
    /// A run of breaking spaces: dropped at the end and start of a wrapped line.
    Space(String, Style),
    /// Never broken inside (unless wider than the line): a redaction marker.
    Atom(String, Style),
    /// A hard line break.
    Newline,
}

/// A run of text placed on a line, `x` from the line's start.
#[derive(Debug)]
struct Piece {
    x: f32,
    width: f32,
    style: Style,
    text: String,
}

/// One laid-out line.
#[derive(Debug, Default)]
struct Line {
    pieces: Vec<Piece>,
    /// The largest font size on the line (an empty line takes the size of its paragraph).
    size: f32,
}

impl Line {
    fn height(&self) -> f32 {
        self.size * LEADING
    }

    fn width(&self) -> f32 {
        self.pieces.last().map_or(0.0, |p| p.x + p.width)
    }
}

/// A drawing operation, in PDF coordinates (y up from the page's bottom).
#[derive(Debug)]
enum Op {
    Fill {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        grey: f32,
    },
    Text {
        x: f32,
        y: f32,
        style: Style,
        text: String,
    },
}

/// The laid-out pages: their operations, before the footers.
type Pages = Vec<Vec<Op>>;

struct Layout<'a> {
    fonts: &'a mut [Font; 2],
    info: &'a ProductionInfo,
    conversation: &'a ProducedConversation,
    pages: Pages,
    /// Distance of the cursor from the current page's top.
    y: f32,
}

impl<'a> Layout<'a> {
    fn new(
        fonts: &'a mut [Font; 2],
        info: &'a ProductionInfo,
        conversation: &'a ProducedConversation,
    ) -> Self {
        Self {
            fonts,
            info,
            conversation,
            pages: vec![Vec::new()],
            y: CONTENT_TOP - 14.0,
        }
    }

    fn font(&mut self, weight: Weight) -> &mut Font {
        &mut self.fonts[weight as usize]
    }

    fn measure(&mut self, text: &str, style: Style) -> f32 {
        let pad = if style.boxed { 2.0 * BOX_PAD } else { 0.0 };
        self.font(style.weight).measure(text, style.size) + pad
    }

    fn page(&mut self) -> &mut Vec<Op> {
        // `pages` is never empty: it starts with one page.
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// Starts a new page, with the running header (case and conversation) at its top.
    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        let style = Style::plain(Weight::Regular, META_SIZE, GREY);
        let head = format!(
            "{} · {}",
            self.info.case,
            one_line(&self.conversation.title)
        );
        let head = self.truncate(&head, style, CONTENT_W);
        self.text_at(MARGIN_X, RUNNING_HEAD_BASELINE, style, head);
        self.fill(MARGIN_X, RUNNING_HEAD_BASELINE + 4.0, CONTENT_W, 0.5, LIGHT);
        self.y = CONTENT_TOP;
    }

    /// Breaks the page unless `height` more fits on it (a page that holds nothing yet is never
    /// broken: content taller than a page is cut into lines by the caller).
    fn ensure(&mut self, height: f32) -> bool {
        if self.y + height > CONTENT_BOTTOM && self.y > CONTENT_TOP {
            self.new_page();
            true
        } else {
            false
        }
    }

    fn fill(&mut self, x: f32, top: f32, w: f32, h: f32, grey: f32) {
        self.page().push(Op::Fill {
            x,
            y: PAGE_H - top - h,
            w,
            h,
            grey,
        });
    }

    fn text_at(&mut self, x: f32, baseline: f32, style: Style, text: String) {
        self.page().push(Op::Text {
            x,
            y: PAGE_H - baseline,
            style,
            text,
        });
    }

    /// `text`, cut with an ellipsis to fit in `width`.
    fn truncate(&mut self, text: &str, style: Style, width: f32) -> String {
        if self.measure(text, style) <= width {
            return text.to_string();
        }
        let budget = width - self.measure("…", style);
        let mut used = 0.0;
        let mut out = String::new();
        for c in text.chars() {
            let w = self.font(style.weight).glyph(c).width * style.size / 1000.0;
            if used + w > budget {
                break;
            }
            used += w;
            out.push(c);
        }
        out.push('…');
        out
    }

    /// Splits `text` into tokens: words, spaces, hard breaks, and `[REDACTED …]` markers as
    /// atoms in the redaction style. Control characters are shown as U+FFFD.
    fn tokens(text: &str, style: Style) -> Vec<Token> {
        let mut tokens = Vec::new();
        let mut word = String::new();
        let mut space = String::new();
        let flush = |tokens: &mut Vec<Token>, word: &mut String, space: &mut String| {
            if !word.is_empty() {
                tokens.push(Token::Word(std::mem::take(word), style));
            }
            if !space.is_empty() {
                tokens.push(Token::Space(std::mem::take(space), style));
            }
        };
        let mut rest = text;
        while let Some(c) = rest.chars().next() {
            if c == '[' {
                if let Some(len) = redaction_marker_len(rest) {
                    flush(&mut tokens, &mut word, &mut space);
                    tokens.push(Token::Atom(rest[..len].to_string(), style.redaction()));
                    rest = &rest[len..];
                    continue;
                }
            }
            rest = &rest[c.len_utf8()..];
            match c {
                '\r' if rest.starts_with('\n') => {}
                '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{0B}' | '\u{0C}' | '\u{85}' => {
                    flush(&mut tokens, &mut word, &mut space);
                    tokens.push(Token::Newline);
                }
                '\t' => {
                    if !word.is_empty() {
                        flush(&mut tokens, &mut word, &mut space);
                    }
                    space.push_str("    ");
                }
                c if c.is_whitespace() && !matches!(c, '\u{A0}' | '\u{2007}' | '\u{202F}') => {
                    if !word.is_empty() {
                        flush(&mut tokens, &mut word, &mut space);
                    }
                    space.push(c);
                }
                c => {
                    if !space.is_empty() {
                        flush(&mut tokens, &mut word, &mut space);
                    }
                    word.push(if c.is_control() { '\u{FFFD}' } else { c });
                }
            }
        }
        flush(&mut tokens, &mut word, &mut space);
        tokens
    }

    /// Breaks `tokens` into lines at most `max` wide (greedy; a word or atom wider than a line
    /// is broken between characters).
    fn wrap(&mut self, tokens: &[Token], max: f32) -> Vec<Line> {
        let base_size = tokens
            .iter()
            .find_map(|t| match t {
                Token::Word(_, s) | Token::Space(_, s) | Token::Atom(_, s) => Some(s.size),
                Token::Newline => None,
            })
            .unwrap_or(BODY_SIZE);
        let mut lines = Vec::new();
        let mut line = Line {
            pieces: Vec::new(),
            size: base_size,
        };
        // True on a line that a wrap (not a hard break) started: leading spaces are dropped.
        let mut wrapped = false;
        for token in tokens {
            match token {
                Token::Newline => {
                    finish_line(&mut lines, &mut line, base_size);
                    wrapped = false;
                }
                Token::Space(text, style) => {
                    if wrapped && line.pieces.is_empty() {
                        continue;
                    }
                    let width = self.measure(text, *style);
                    if line.width() + width > max {
                        // The spaces end the line; they are not drawn.
                        finish_line(&mut lines, &mut line, base_size);
                        wrapped = true;
                        continue;
                    }
                    push_piece(&mut line, text, width, *style);
                }
                Token::Word(text, style) | Token::Atom(text, style) => {
                    let width = self.measure(text, *style);
                    if line.width() + width > max && !line.pieces.is_empty() {
                        finish_line(&mut lines, &mut line, base_size);
                        wrapped = true;
                    }
                    if width <= max {
                        push_piece(&mut line, text, width, *style);
                    } else {
                        wrapped |= self.break_word(&mut lines, &mut line, text, *style, max);
                    }
                }
            }
        }
        if !line.pieces.is_empty() || lines.is_empty() {
            lines.push(line);
        }
        // Spaces at the end of a line are not drawn.
        for line in &mut lines {
            self.trim_trailing_spaces(line);
        }
        lines
    }

    /// Drops the spaces and tabs that end a line.
    fn trim_trailing_spaces(&mut self, line: &mut Line) {
        while let Some(last) = line.pieces.last_mut() {
            let kept = last.text.trim_end_matches([' ', '\t']).len();
            if kept == last.text.len() {
                return;
            }
            if kept == 0 {
                line.pieces.pop();
                continue;
            }
            last.text.truncate(kept);
            let (text, style) = (std::mem::take(&mut last.text), last.style);
            let width = self.measure(&text, style);
            if let Some(last) = line.pieces.last_mut() {
                last.text = text;
                last.width = width;
            }
            return;
        }
    }

    /// Lays out a word wider than the line on an empty line, breaking it between characters.
    /// Returns whether a wrap happened.
    fn break_word(
        &mut self,
        lines: &mut Vec<Line>,
        line: &mut Line,
        text: &str,
        style: Style,
        max: f32,
    ) -> bool {
        let pad = if style.boxed { 2.0 * BOX_PAD } else { 0.0 };
        let mut chunk = String::new();
        let mut chunk_w = pad;
        let mut wrapped = false;
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            // A cluster: the character and whatever must stay with it.
            let mut cluster = String::from(c);
            while let Some(&next) = chars.peek() {
                if joins_previous(next) || cluster.ends_with('\u{200D}') {
                    cluster.push(next);
                    chars.next();
                } else {
                    break;
                }
            }
            let w = self.font(style.weight).measure(&cluster, style.size);
            if chunk_w + w > max && !chunk.is_empty() {
                push_piece(line, &chunk, chunk_w, style);
                let size = line.size;
                finish_line(lines, line, size);
                wrapped = true;
                chunk.clear();
                chunk_w = pad;
            }
            chunk.push_str(&cluster);
            chunk_w += w;
        }
        if !chunk.is_empty() {
            push_piece(line, &chunk, chunk_w, style);
        }
        wrapped
    }

    /// Draws `lines` from the cursor down, left edge at `x`, breaking pages between lines.
    /// `bar` draws the message bar beside each line. Returns whether a page break happened.
    fn place_lines(&mut self, lines: &[Line], x: f32, bar: bool) -> bool {
        let mut broke = false;
        for line in lines {
            broke |= self.ensure(line.height());
            self.place_line(line, x, bar);
        }
        broke
    }

    fn place_line(&mut self, line: &Line, x: f32, bar: bool) {
        let top = self.y;
        let height = line.height();
        let baseline =
            top + (height - (ASCENT_EM + DESCENT_EM) * line.size) / 2.0 + ASCENT_EM * line.size;
        if bar {
            self.fill(BAR_X, top, BAR_W, height, LIGHT);
        }
        for piece in &line.pieces {
            let px = x + piece.x;
            let mut tx = px;
            if piece.style.boxed {
                let size = piece.style.size;
                let box_top = baseline - ASCENT_EM * size - 0.5;
                let box_h = (ASCENT_EM + DESCENT_EM) * size + 1.0;
                self.fill(px, box_top, piece.width, box_h, INK);
                tx += BOX_PAD;
            }
            self.text_at(tx, baseline, piece.style, piece.text.clone());
        }
        self.y += height;
    }

    /// The header block of the first page.
    fn header_block(&mut self) {
        let title = Style::plain(Weight::Bold, TITLE_SIZE, INK);
        let lines = self.wrap(&Self::tokens("Conversation transcript", title), CONTENT_W);
        self.place_lines(&lines, MARGIN_X, false);
        self.y += 6.0;

        let conversation = self.conversation;
        let info = self.info;
        let app = format!(
            "{} ({})",
            app_name(&conversation.app),
            kind_name(&conversation.kind)
        );
        let participants = if conversation.participants.is_empty() {
            "(none listed)".to_string()
        } else {
            conversation.participants.join(", ")
        };
        let count = conversation.messages.len();
        let messages = match (conversation.messages.first(), conversation.messages.last()) {
            (Some(first), Some(last)) => format!(
                "{count} ({} to {})",
                first.control.as_str(),
                last.control.as_str()
            ),
            _ => "0".to_string(),
        };
        let rows: [(&str, &str); 7] = [
            ("Case reference", &info.case),
            ("Requester", &info.requester),
            ("Conversation", &conversation.title),
            ("App", &app),
            ("Participants", &participants),
            ("Messages", &messages),
            ("Produced at", &display_utc(&info.produced_at)),
        ];
        for (label, value) in rows {
            self.header_row(label, value);
        }
        self.y += 4.0;
        let zone = Style::plain(Weight::Regular, HEADER_SIZE, INK).oblique();
        let text = format!("Times in {}.", info.zone);
        let lines = self.wrap(&Self::tokens(&text, zone), CONTENT_W);
        self.place_lines(&lines, MARGIN_X, false);
        self.y += 6.0;
        let y = self.y;
        self.fill(MARGIN_X, y, CONTENT_W, 0.75, INK);
        self.y += 12.0;
    }

    /// A label and its value (wrapped in the value column).
    fn header_row(&mut self, label: &str, value: &str) {
        let label_style = Style::plain(Weight::Bold, HEADER_SIZE, GREY);
        let value_style = Style::plain(Weight::Regular, HEADER_SIZE, INK);
        let value = if value.trim().is_empty() {
            "—"
        } else {
            value
        };
        let values = self.wrap(&Self::tokens(value, value_style), CONTENT_W - LABEL_W);
        let labels = self.wrap(&Self::tokens(label, label_style), LABEL_W - 6.0);
        for i in 0..values.len().max(labels.len()) {
            let (label, value) = (labels.get(i), values.get(i));
            let height = label
                .map_or(0.0, Line::height)
                .max(value.map_or(0.0, Line::height));
            self.ensure(height);
            let top = self.y;
            if let Some(line) = label {
                self.place_line(line, MARGIN_X, false);
                self.y = top;
            }
            if let Some(line) = value {
                self.place_line(line, MARGIN_X + LABEL_W, false);
            }
            self.y = top + height;
        }
    }

    /// One message: its heading line, its text (or the withheld notice), its attachments.
    fn message(&mut self, message: &ProducedMessage) {
        // Heading: sender and time on the left, the control number on the right.
        let control_style = Style::plain(Weight::Regular, META_SIZE, GREY);
        let control_w = self.measure(&message.control, control_style);
        let sender_style = Style::plain(Weight::Bold, SENDER_SIZE, INK);
        let time_style = Style::plain(Weight::Regular, META_SIZE, GREY);
        let sender = match (&message.sender, message.kind.as_str()) {
            (Some(s), _) if !s.trim().is_empty() => one_line(s),
            (_, "system") => "System".to_string(),
            _ => "Unknown sender".to_string(),
        };
        let mut tokens = Self::tokens(&sender, sender_style);
        tokens.push(Token::Space("   ".into(), time_style));
        tokens.push(Token::Word(display_time(&message.sent_at), time_style));
        let mut heading = self.wrap(&tokens, CONTENT_W - control_w - 12.0);
        if let Some(first) = heading.first_mut() {
            first.pieces.push(Piece {
                x: CONTENT_W - control_w,
                width: control_w,
                style: control_style,
                text: message.control.clone(),
            });
        }

        let body = self.message_body(message);

        // Keep the heading with the first two lines of the text.
        let keep: f32 = heading.iter().map(Line::height).sum::<f32>()
            + body.iter().take(2).map(Line::height).sum::<f32>();
        self.ensure(keep);
        self.place_lines(&heading, MARGIN_X, false);
        self.y += 1.0;
        for (i, line) in body.iter().enumerate() {
            // Break before the last two lines rather than leave one alone on the next page.
            let widow = i >= 2 && i + 2 == body.len();
            let need = if widow {
                line.height() + body[i + 1].height()
            } else {
                line.height()
            };
            if self.ensure(need) {
                // The message goes on from the previous page: say whose it is.
                let text = format!("{} · {} (continued)", message.control, sender);
                let style = Style::plain(Weight::Regular, META_SIZE, GREY).oblique();
                let cont = self.wrap(&Self::tokens(&text, style), CONTENT_W);
                self.place_lines(&cont, MARGIN_X, false);
            }
            self.place_line(line, MARGIN_X + BODY_INDENT, true);
        }
        self.y += MESSAGE_GAP;
    }

    /// The lines under a message's heading.
    fn message_body(&mut self, message: &ProducedMessage) -> Vec<Line> {
        let width = CONTENT_W - BODY_INDENT;
        let regular = Style::plain(Weight::Regular, BODY_SIZE, INK);
        let muted = Style::plain(Weight::Regular, BODY_SIZE, GREY).oblique();
        let mut lines = Vec::new();
        if let Some(code) = &message.withheld {
            let style = Style::plain(Weight::Bold, BODY_SIZE, INK);
            let text = format!("[Withheld in full: {code}]");
            lines.extend(self.wrap(&Self::tokens(&text, style), width));
        } else if !message.text.is_empty() {
            // System, call and deleted-message notices are grey italics; text is plain.
            let style = match message.kind.as_str() {
                "system" | "call" | "deleted" => muted,
                _ => regular,
            };
            lines.extend(self.wrap(&Self::tokens(&message.text, style), width));
        } else if message.attachments.is_empty() {
            let note = match message.kind.as_str() {
                "deleted" => "(message deleted)",
                "call" => "(call)",
                "media" => "(media)",
                _ => "(no text)",
            };
            lines.extend(self.wrap(&Self::tokens(note, muted), width));
        }
        for attachment in &message.attachments {
            let tokens = self.attachment_tokens(attachment);
            lines.extend(self.wrap(&tokens, width));
        }
        lines
    }

    /// "Attachment: photo.jpg (image/jpeg, 182 KB) — attachments/FOI-000012_photo.jpg", or
    /// "Attachment: photo.jpg — withheld: s40(2)".
    fn attachment_tokens(&mut self, attachment: &ProducedAttachment) -> Vec<Token> {
        let label = Style::plain(Weight::Bold, META_SIZE + 0.5, GREY);
        let name = Style::plain(Weight::Regular, META_SIZE + 0.5, INK);
        let meta = Style::plain(Weight::Regular, META_SIZE, GREY);
        let mut tokens = Self::tokens("Attachment:", label);
        tokens.push(Token::Space(" ".into(), name));
        let file_name = if attachment.name.trim().is_empty() {
            "(unnamed)".to_string()
        } else {
            one_line(&attachment.name)
        };
        tokens.extend(Self::tokens(&file_name, name));
        let details: Vec<String> = attachment
            .mime
            .iter()
            .cloned()
            .chain(attachment.size.map(human_size))
            .collect();
        if !details.is_empty() {
            tokens.push(Token::Space(" ".into(), meta));
            tokens.extend(Self::tokens(&format!("({})", details.join(", ")), meta));
        }
        if let Some(reason) = &attachment.withheld {
            let withheld = Style::plain(Weight::Bold, META_SIZE + 0.5, INK);
            tokens.push(Token::Space(" ".into(), name));
            tokens.extend(Self::tokens(&format!("— withheld: {reason}"), withheld));
        } else if let Some(path) = &attachment.path {
            tokens.push(Token::Space(" ".into(), meta));
            tokens.extend(Self::tokens(&format!("— {path}"), meta));
        }
        tokens
    }

    /// The pages, each with its footer: "FOI-2026-014 — page 3 of 12".
    fn finish(mut self) -> Pages {
        let total = self.pages.len();
        let style = Style::plain(Weight::Regular, META_SIZE, GREY);
        for index in 0..total {
            let text = format!("{} — page {} of {}", self.info.case, index + 1, total);
            let text = self.truncate(&text, style, CONTENT_W);
            let width = self.measure(&text, style);
            self.pages[index].push(Op::Text {
                x: (PAGE_W - width) / 2.0,
                y: PAGE_H - FOOTER_BASELINE,
                style,
                text,
            });
        }
        self.pages
    }
}

/// Appends a run to `line`, merged into the previous one when the style is the same.
fn push_piece(line: &mut Line, text: &str, width: f32, style: Style) {
    line.size = line.size.max(style.size);
    if let Some(last) = line.pieces.last_mut() {
        if last.style == style && !style.boxed {
            last.text.push_str(text);
            last.width += width;
            return;
        }
    }
    let x = line.width();
    line.pieces.push(Piece {
        x,
        width,
        style,
        text: text.to_string(),
    });
}

fn finish_line(lines: &mut Vec<Line>, line: &mut Line, size: f32) {
    lines.push(std::mem::replace(
        line,
        Line {
            pieces: Vec::new(),
            size,
        },
    ));
}

/// The byte length of a `[REDACTED …]` marker at the start of `s`, if there is one (at most
/// 80 bytes, on one line).
fn redaction_marker_len(s: &str) -> Option<usize> {
    if !s.starts_with("[REDACTED") {
        return None;
    }
    s.char_indices()
        .take(80)
        .find_map(|(i, c)| match c {
            ']' => Some(Some(i + 1)),
            '\n' | '\r' | '[' if i > 0 => Some(None),
            _ => None,
        })
        .flatten()
}

/// Newlines and tabs as spaces (for one-line fields: names, titles).
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `2025-02-03T11:47:00+00:00` as `2025-02-03 11:47:00 +00:00` (the zone's clock time, with
/// its offset so the repeated hour of a clock change stays unambiguous). Unparseable: as given.
fn display_time(sent_at: &str) -> String {
    DateTime::parse_from_rfc3339(sent_at)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S %:z").to_string())
        .unwrap_or_else(|_| sent_at.to_string())
}

/// An RFC 3339 instant as `2026-03-01 10:00:00 UTC`; unparseable: as given.
fn display_utc(at: &str) -> String {
    DateTime::parse_from_rfc3339(at)
        .map(|t| {
            t.with_timezone(&Utc)
                .format("%Y-%m-%d %H:%M:%S UTC")
                .to_string()
        })
        .unwrap_or_else(|_| at.to_string())
}

fn app_name(app: &str) -> String {
    match app {
        "whatsapp" => "WhatsApp".into(),
        "signal" => "Signal".into(),
        "telegram" => "Telegram".into(),
        "slack" => "Slack".into(),
        "email" => "Email".into(),
        "teams" => "Microsoft Teams".into(),
        "imessage" => "iMessage".into(),
        other => other.to_string(),
    }
}

fn kind_name(kind: &str) -> String {
    match kind {
        "direct" => "direct chat".into(),
        "group" => "group chat".into(),
        other => other.to_string(),
    }
}

fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes} bytes");
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    if value < 10.0 {
        format!("{value:.1} {}", UNITS[unit])
    } else {
        format!("{value:.0} {}", UNITS[unit])
    }
}

// ---------------------------------------------------------------------------------------------
// Writing the PDF
// ---------------------------------------------------------------------------------------------

/// Hands out consecutive object ids.
struct Ids(i32);

impl Ids {
    fn next(&mut self) -> Ref {
        self.0 += 1;
        Ref::new(self.0)
    }
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut encoder = ZlibEncoder::new(Vec::with_capacity(data.len() / 3), Compression::default());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(data);
    encoder.finish().unwrap_or_default()
}

const FONT_NAMES: [&[u8]; 2] = [b"F1", b"F2"];

fn write_pdf(
    fonts: &mut [Font; 2],
    info: &ProductionInfo,
    conversation: &ProducedConversation,
    pages: &Pages,
) -> Result<Vec<u8>> {
    let mut pdf = Pdf::new();
    let mut ids = Ids(0);
    let catalog_id = ids.next();
    let tree_id = ids.next();
    let info_id = ids.next();
    let font_ids: Vec<Ref> = fonts.iter().map(|_| ids.next()).collect();
    let page_ids: Vec<(Ref, Ref)> = pages.iter().map(|_| (ids.next(), ids.next())).collect();

    // Page contents first: encoding the text is what the fonts' tables are built from (every
    // character was already seen by the layout, so no CID is added here).
    for (ops, &(page_id, content_id)) in pages.iter().zip(&page_ids) {
        let content = page_content(fonts, ops);
        let compressed = deflate(&content);
        pdf.stream(content_id, &compressed)
            .filter(Filter::FlateDecode);
        let mut page = pdf.page(page_id);
        page.parent(tree_id)
            .media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
            .contents(content_id);
        let mut resources = page.resources();
        let mut dict = resources.fonts();
        for (name, id) in FONT_NAMES.iter().zip(&font_ids) {
            dict.pair(Name(name), *id);
        }
    }

    for (font, &type0_id) in fonts.iter().zip(&font_ids) {
        write_font(&mut pdf, &mut ids, font, type0_id)?;
    }

    pdf.pages(tree_id)
        .kids(page_ids.iter().map(|&(page, _)| page))
        .count(page_ids.len() as i32);
    pdf.catalog(catalog_id).pages(tree_id);

    let title = format!("{} — {}", info.case, one_line(&conversation.title));
    let mut doc_info = pdf.document_info(info_id);
    doc_info
        .title(TextStr(&title))
        .subject(TextStr("Conversation transcript"))
        .creator(TextStr("Holdfast"))
        .producer(TextStr("Holdfast"));
    if let Ok(at) = DateTime::parse_from_rfc3339(&info.produced_at) {
        let at = at.with_timezone(&Utc).naive_utc();
        use chrono::{Datelike, Timelike};
        if let Ok(year) = u16::try_from(at.year()) {
            // chrono's fields are in range (month 1..=12, ...), so the casts cannot truncate.
            let date = Date::new(year)
                .month(at.month() as u8)
                .day(at.day() as u8)
                .hour(at.hour() as u8)
                .minute(at.minute() as u8)
                .second(at.second().min(59) as u8)
                .utc_offset_hour(0)
                .utc_offset_minute(0);
            doc_info.creation_date(date);
        }
    }
    doc_info.finish();
    Ok(pdf.finish())
}

/// The content stream of one page: the fills first, then all the text in one text object.
fn page_content(fonts: &mut [Font; 2], ops: &[Op]) -> Vec<u8> {
    let mut content = Content::new();
    let mut fill_grey = None;
    for op in ops {
        if let Op::Fill { x, y, w, h, grey } = *op {
            if fill_grey != Some(grey) {
                content.set_fill_gray(grey);
                fill_grey = Some(grey);
            }
            content.rect(x, y, w, h);
            content.fill_nonzero();
        }
    }
    content.begin_text();
    let mut font_state: Option<(Weight, f32)> = None;
    for op in ops {
        if let Op::Text { x, y, style, text } = op {
            if font_state != Some((style.weight, style.size)) {
                content.set_font(Name(FONT_NAMES[style.weight as usize]), style.size);
                font_state = Some((style.weight, style.size));
            }
            if fill_grey != Some(style.grey) {
                content.set_fill_gray(style.grey);
                fill_grey = Some(style.grey);
            }
            let shear = if style.oblique { OBLIQUE_SHEAR } else { 0.0 };
            content.set_text_matrix([1.0, 0.0, shear, 1.0, *x, *y]);
            let encoded = fonts[style.weight as usize].encode(text);
            content.show(Str(&encoded));
        }
    }
    content.end_text();
    content.finish().into_vec()
}

/// Writes one font as a Type0 font with its CID font, descriptor, subset font file, CID-to-glyph
/// map and ToUnicode CMap.
fn write_font(pdf: &mut Pdf, ids: &mut Ids, font: &Font, type0_id: Ref) -> Result<()> {
    let cid_id = ids.next();
    let descriptor_id = ids.next();
    let file_id = ids.next();
    let cmap_id = ids.next();
    let gid_map_id = ids.next();

    // The subset: glyph 0 stays 0; the others are renumbered in order of first use.
    let mut remapper = subsetter::GlyphRemapper::new();
    let mut gid_map = Vec::with_capacity(font.cids.len() * 2);
    for &(gid, _) in &font.cids {
        gid_map.extend_from_slice(&remapper.remap(gid).to_be_bytes());
    }
    let subset =
        subsetter::subset(font.data, 0, &remapper).map_err(|e| font_error(font.name, &e))?;

    // A subset's name is tagged with six capitals derived from its glyphs, so different
    // subsets of the same font get different names.
    let mut hash: u32 = 0x811C_9DC5;
    for &(gid, _) in &font.cids {
        for byte in gid.to_be_bytes() {
            hash = (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193);
        }
    }
    let mut tag = String::with_capacity(6);
    for _ in 0..6 {
        tag.push(char::from(b'A' + (hash % 26) as u8));
        hash /= 26;
    }
    let base_name = format!("{tag}+{}", font.name);
    let base_name = Name(base_name.as_bytes());

    let system_info = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };

    pdf.type0_font(type0_id)
        .base_font(base_name)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid_id)
        .to_unicode(cmap_id);

    let mut cid_font = pdf.cid_font(cid_id);
    cid_font
        .subtype(CidFontType::Type2)
        .base_font(base_name)
        .system_info(system_info)
        .font_descriptor(descriptor_id)
        .default_width(font.widths[0])
        .cid_to_gid_map_stream(gid_map_id);
    cid_font
        .widths()
        .consecutive(0, font.widths.iter().copied());
    cid_font.finish();

    let face = &font.face;
    let scale = font.scale;
    let bbox = face.global_bounding_box();
    let bold = face.is_bold();
    pdf.font_descriptor(descriptor_id)
        .name(base_name)
        .flags(FontFlags::SYMBOLIC)
        .bbox(Rect::new(
            f32::from(bbox.x_min) * scale,
            f32::from(bbox.y_min) * scale,
            f32::from(bbox.x_max) * scale,
            f32::from(bbox.y_max) * scale,
        ))
        .italic_angle(0.0)
        .ascent(f32::from(face.ascender()) * scale)
        .descent(f32::from(face.descender()) * scale)
        .cap_height(f32::from(face.capital_height().unwrap_or(face.ascender())) * scale)
        .stem_v(if bold { 165.0 } else { 90.0 })
        .font_file2(file_id);

    let compressed = deflate(&subset);
    pdf.stream(file_id, &compressed)
        .filter(Filter::FlateDecode)
        .pair(Name(b"Length1"), subset.len() as i32);

    let mut cmap = UnicodeCmap::new(Name(b"Holdfast-UCS"), system_info);
    for (cid, &(_, c)) in font.cids.iter().enumerate().skip(1) {
        // `cids` never holds more than 65,536 entries (see `Font::new_glyph`).
        cmap.pair(cid as u16, c);
    }
    let cmap = cmap.finish();
    pdf.cmap(cmap_id, &cmap);

    let compressed = deflate(&gid_map);
    pdf.stream(gid_map_id, &compressed)
        .filter(Filter::FlateDecode);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use crate::foi::produced::ProducedAttachment;

    fn info() -> ProductionInfo {
        ProductionInfo {
            case: "FOI-2026-014".into(),
            requester: "Jane Requester".into(),
            zone: "Europe/London".into(),
            produced_at: "2026-03-01T10:00:00Z".into(),
        }
    }

    fn message(i: usize, text: String) -> ProducedMessage {
        let minute = i % 60;
        let hour = 9 + (i / 60) % 10;
        ProducedMessage {
            control: format!("FOI-2026-014-{:06}", i + 1),
            message_id: i as i64 + 1000,
            sender: Some(
                if i.is_multiple_of(3) {
                    "Alice Émond"
                } else {
                    "Борис Петров"
                }
                .into(),
            ),
            sent_at_ms: 1_738_576_020_000 + i as i64 * 60_000,
            sent_at: format!("2025-02-03T{hour:02}:{minute:02}:00+00:00"),
            kind: "text".into(),
            text,
            withheld: None,
            redactions: Vec::new(),
            attachments: Vec::new(),
        }
    }

    /// `n` messages with a mix of short, multi-line, very long texts and unbreakable words,
    /// Cyrillic and accented text, a redaction, a withheld message, a system message and
    /// attachments.
    fn conversation(n: usize) -> ProducedConversation {
        let mut messages = Vec::with_capacity(n);
        for i in 0..n {
            let text = match i % 10 {
                0 => format!("Short note number {i}."),
                1 => "First line\nsecond line\n\nfourth line after a blank one".to_string(),
                2 => "The quick brown fox jumps over the lazy dog. ".repeat(25),
                3 => "Привет, как дела? Встреча перенесена на четверг.".to_string(),
                4 => "Le café de la gare est fermé; réunion à Genève.".to_string(),
                5 => format!(
                    "https://example.org/{}",
                    "averyveryverylongpathsegment".repeat(12)
                ),
                6 => "Call me about the 😀 party 👍🏽 — thanks!".to_string(),
                7 => "Tab\tseparated\tvalues and   multiple   spaces".to_string(),
                8 => "Zażółć gęślą jaźń. Ελληνικά. ".repeat(4),
                _ => format!("Message {i}: ok"),
            };
            messages.push(message(i, text));
        }
        if n > 20 {
            messages[11].text = "Please send it to [REDACTED s40(2)] before Friday.".into();
            messages[11].redactions = vec!["s40(2)".into()];
            messages[12].text = String::new();
            messages[12].withheld = Some("s43".into());
            messages[13].kind = "system".into();
            messages[13].sender = None;
            messages[13].text = "Alice Émond added Борис Петров".into();
            messages[14].attachments = vec![
                ProducedAttachment {
                    name: "photo.jpg".into(),
                    mime: Some("image/jpeg".into()),
                    size: Some(182_000),
                    path: Some("attachments/FOI-2026-014-000015_photo.jpg".into()),
                    sha256: Some("00".repeat(32)),
                    withheld: None,
                },
                ProducedAttachment {
                    name: "minutes.docx".into(),
                    mime: None,
                    size: None,
                    path: None,
                    sha256: None,
                    withheld: Some("s42".into()),
                },
            ];
            messages[15].kind = "media".into();
            messages[15].text = String::new();
        }
        ProducedConversation {
            id: 7,
            title: "Planning — Café group".into(),
            app: "whatsapp".into(),
            kind: "group".into(),
            participants: vec!["Alice Émond".into(), "Борис Петров".into()],
            messages,
        }
    }

    #[test]
    fn transcript_of_300_messages_extracts_its_text() {
        let conversation = conversation(300);
        let pdf = transcript(&info(), &conversation).expect("transcript");
        assert!(pdf.starts_with(b"%PDF-"));
        println!("300 messages: {} bytes", pdf.len());

        let doc = pdf_extract::Document::load_mem(&pdf).expect("lopdf parses it");
        let page_count = doc.get_pages().len();
        assert!(page_count > 1, "{page_count} pages");

        let pages = pdf_extract::extract_text_from_mem_by_pages(&pdf).expect("extract");
        assert_eq!(pages.len(), page_count);
        for (i, page) in pages.iter().enumerate() {
            let footer = format!("FOI-2026-014 — page {} of {}", i + 1, page_count);
            assert!(page.contains(&footer), "page {}: no {footer:?}", i + 1);
        }
        let text = pages.concat();
        for m in &conversation.messages {
            assert!(text.contains(&m.control), "{} missing", m.control);
        }
        for expected in [
            "Conversation transcript",
            "Jane Requester",
            "Times in Europe/London",
            "Planning — Café group",
            "Genève",
            "réunion",
            "Привет",
            "четверг",
            "Zażółć",
            "Ελληνικά",
            "[REDACTED s40(2)]",
            "[Withheld in full: s43]",
            "Alice Émond added Борис Петров",
            "photo.jpg",
            "minutes.docx",
            "withheld: s42",
            "2025-02-03 09:00:00 +00:00",
            // Emoji are drawn with the replacement glyph, but extract as themselves.
            "😀",
        ] {
            assert!(text.contains(expected), "{expected:?} missing");
        }
        assert!(!text.contains("Quetzalcoatl"));
    }

    #[test]
    fn long_words_break_and_every_character_survives() {
        let word: String = "Ünïcödé".repeat(60);
        let mut conversation = conversation(1);
        conversation.messages[0].text = word.clone();
        let pdf = transcript(&info(), &conversation).expect("transcript");
        let text = pdf_extract::extract_text_from_mem(&pdf).expect("extract");
        // Broken over lines, the word comes back in pieces; nothing is lost.
        let joined: String = text.split_whitespace().collect();
        assert!(joined.contains(&word), "{text}");
    }

    #[test]
    fn empty_conversation_has_one_page() {
        let mut conversation = conversation(0);
        conversation.title = String::new();
        conversation.participants.clear();
        let pdf = transcript(&info(), &conversation).expect("transcript");
        let pages = pdf_extract::extract_text_from_mem_by_pages(&pdf).expect("extract");
        assert_eq!(pages.len(), 1);
        assert!(pages[0].contains("No messages."));
        assert!(pages[0].contains("FOI-2026-014 — page 1 of 1"));
    }

    #[test]
    fn tokens_keep_redaction_markers_whole() {
        let style = Style::plain(Weight::Regular, BODY_SIZE, INK);
        let tokens = Layout::tokens("a [REDACTED s40(2)] b [not] [REDACTED", style);
        let atoms: Vec<&str> = tokens
            .iter()
            .filter_map(|t| match t {
                Token::Atom(s, _) => Some(s.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(atoms, ["[REDACTED s40(2)]"]);
    }

    #[test]
    fn renders_2000_messages() {
        let conversation = conversation(2000);
        let start = std::time::Instant::now();
        let pdf = transcript(&info(), &conversation).expect("transcript");
        println!(
            "2,000 messages: {} bytes in {:?}",
            pdf.len(),
            start.elapsed()
        );
    }
}
