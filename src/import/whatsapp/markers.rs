//! The fixed texts WhatsApp writes into exports in place of media, deletions, edits and calls,
//! in English, German, Spanish, French, Italian and Portuguese, and what a message means when
//! its text is one of them. Every string, with where it was found: docs/formats/whatsapp-strings.md.

use super::header::{is_invisible_mark, strip_marks};
use crate::import::MessageKind;

/// Android "with media": `IMG-20190101-WA0000.jpg (file attached)`.
const FILE_ATTACHED: &[&str] = &[
    " (file attached)",
    " (Datei angehängt)",
    " (archivo adjunto)",
    " (archivo adjuntado)",
    " (fichier joint)",
    " (file allegato)",
    " (arquivo anexado)",
    " (ficheiro anexado)",
];

/// Android "without media" (the whole first line).
const MEDIA_OMITTED: &[&str] = &[
    "<Media omitted>",
    "<Medien ausgeschlossen>",
    "<Medien weggelassen>",
    "<Multimedia omitido>",
    "<Archivo omitido>",
    "<Médias omis>",
    "<Fichier omis>",
    "<Media omessi>",
    "<Media omesso>",
    "<Arquivo de mídia oculto>",
    "<Mídia oculta>",
    "<Mídia omitida>",
    "<Ficheiro não revelado>",
    "<Multimédia omitido>",
];

/// iOS "with media": `<attached: 00000001-PHOTO-2019-01-01-12-00-00.jpg>`; the keyword before
/// the colon, lower-cased.
const ATTACHED_KEYWORDS: &[&str] = &[
    "attached",
    "anhang",
    "angehängt",
    "adjunto",
    "pièce jointe",
    "allegato",
    "anexo",
    "anexado",
];

/// iOS "without media", per type (lower-cased), and the type recorded for it.
const TYPE_OMITTED: &[(&str, &str)] = &[
    ("image omitted", "image"),
    ("video omitted", "video"),
    ("audio omitted", "audio"),
    ("sticker omitted", "sticker"),
    ("gif omitted", "gif"),
    ("contact card omitted", "contact"),
    ("bild weggelassen", "image"),
    ("video weggelassen", "video"),
    ("audio weggelassen", "audio"),
    ("sticker weggelassen", "sticker"),
    ("gif weggelassen", "gif"),
    ("kontaktkarte ausgelassen", "contact"),
    ("imagen omitida", "image"),
    ("video omitido", "video"),
    ("audio omitido", "audio"),
    ("sticker omitido", "sticker"),
    ("gif omitido", "gif"),
    ("tarjeta de contacto omitida", "contact"),
    ("image absente", "image"),
    ("vidéo absente", "video"),
    ("audio omis", "audio"),
    ("sticker omis", "sticker"),
    ("gif retiré", "gif"),
    ("fiche contact manquante", "contact"),
    ("immagine omessa", "image"),
    ("video omesso", "video"),
    ("audio omesso", "audio"),
    ("sticker non incluso", "sticker"),
    ("gif esclusa", "gif"),
    ("scheda contatto omessa", "contact"),
    ("imagem ocultada", "image"),
    ("vídeo omitido", "video"),
    ("áudio ocultado", "audio"),
    ("figurinha omitida", "sticker"),
    ("cartão do contato omitido", "contact"),
    ("imagem não revelada", "image"),
    ("vídeo não revelado", "video"),
    ("ficheiro de áudio não revelado", "audio"),
    ("sticker não revelado", "sticker"),
    ("gif não revelada", "gif"),
    ("contacto não revelado", "contact"),
];

/// iOS document without media: `report.pdf • 2 pages document omitted` (lower-cased suffixes).
const DOCUMENT_OMITTED: &[&str] = &[
    "document omitted",
    "dokument weggelassen",
    "documento omitido",
    "document manquant",
    "documento omesso",
    "documento não revelado",
];

/// Deleted-message placeholders (compared without a final period).
const DELETED: &[&str] = &[
    "This message was deleted",
    "You deleted this message",
    "This message was deleted by an admin",
    "You deleted this message as admin",
    "Diese Nachricht wurde gelöscht",
    "Du hast diese Nachricht gelöscht",
    "Se eliminó este mensaje",
    "Eliminaste este mensaje",
    "Este mensaje fue eliminado",
    "Ce message a été supprimé",
    "Vous avez supprimé ce message",
    "Questo messaggio è stato eliminato",
    "Hai eliminato questo messaggio",
    "Esta mensagem foi apagada",
    "Apagou esta mensagem",
    "Mensagem apagada",
    "Você apagou esta mensagem",
];

/// Edited marker appended after the text (compared without a period inside the brackets).
const EDITED: &[&str] = &[
    "<This message was edited>",
    "<Diese Nachricht wurde bearbeitet>",
    "<Se editó este mensaje>",
    "<Ce message a été modifié>",
    "<Questo messaggio è stato modificato>",
    "<Mensagem editada>",
    "<Esta mensagem foi editada>",
];

/// Call lines (prefixes of the first line).
const CALLS: &[&str] = &[
    "Missed voice call",
    "Missed video call",
    "Missed group voice call",
    "Missed group video call",
    "Voice call",
    "Video call",
    "Silenced voice call",
    "Verpasster Sprachanruf",
    "Verpasster Videoanruf",
    "Llamada perdida",
    "Videollamada perdida",
    "Llamada de voz perdida",
    "Appel vocal manqué",
    "Appel vidéo manqué",
    "Chiamata vocale persa",
    "Videochiamata persa",
    "Chamada de voz perdida",
    "Videochamada perdida",
    "Ligação de voz perdida",
    "Chamada de vídeo perdida",
];

/// System notices that iOS attributes to the chat or group as if it had sent them.
const SYSTEM_PREFIXES: &[&str] = &[
    "Messages and calls are end-to-end encrypted",
    "Messages to this group are now secured with end-to-end encryption",
    "Messages to this chat and calls are now secured with end-to-end encryption",
    "Messages you send to this chat and calls are now secured with end-to-end encryption",
    "Messages you send to this group are now secured with end-to-end encryption",
    "Your security code with ",
    "Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt",
    "Los mensajes y las llamadas están cifrados de extremo a extremo",
    "Les messages et les appels sont chiffrés de bout en bout",
    "I messaggi e le chiamate sono crittografati end-to-end",
    "As mensagens e ligações são protegidas com a criptografia de ponta a ponta",
    "As mensagens e as chamadas são protegidas com a criptografia de ponta a ponta",
    "As mensagens e chamadas são encriptadas ponto a ponto",
];

/// Words in authorless lines that show the chat is a group.
const GROUP_EVENTS: &[&str] = &[
    "created group",
    " added ",
    " was added",
    "You were added",
    "invite link",
    "changed the subject",
    "changed the group",
    "changed this group's",
    "hat die Gruppe",
    "hinzugefügt",
    "creó el grupo",
    "a créé le groupe",
    "ha creato il gruppo",
    "criou o grupo",
    "criou este grupo",
];

/// An attachment a message refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Marker {
    /// A file the export names (it may or may not be in the export).
    File(String),
    /// The export was made without media; the type (`image`, `media`, ...) or the document name.
    Omitted(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classified {
    pub kind: MessageKind,
    /// The text to keep: the caption for media, the text without the edited marker.
    pub body: String,
    pub edited: bool,
    pub markers: Vec<Marker>,
}

/// `a` equals `lower` ignoring ASCII case (`lower` is lower-case).
fn eq_ascii_ci(a: &str, lower: &str) -> bool {
    a.len() == lower.len()
        && a.bytes()
            .zip(lower.bytes())
            .all(|(x, y)| x.to_ascii_lowercase() == y)
}

/// `a` ends with `lower` ignoring ASCII case.
fn ends_with_ascii_ci(a: &str, lower: &str) -> bool {
    a.len() >= lower.len()
        && a.is_char_boundary(a.len() - lower.len())
        && eq_ascii_ci(&a[a.len() - lower.len()..], lower)
}

fn strip_final_period(s: &str) -> &str {
    s.strip_suffix('.').unwrap_or(s)
}

fn split_first_line(s: &str) -> (&str, &str) {
    match s.find('\n') {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (s, ""),
    }
}

/// Joins caption parts that survive around a marker.
fn caption(before: &str, after: &str) -> String {
    let before = before.trim_end_matches(|c: char| c == ' ' || is_invisible_mark(c));
    match (before.is_empty(), after.is_empty()) {
        (true, _) => after.to_string(),
        (false, true) => before.to_string(),
        (false, false) => format!("{before}\n{after}"),
    }
}

/// Strips a trailing edited marker; returns the text without it.
fn strip_edited(text: &str) -> Option<&str> {
    let t = text.trim_end();
    if !t.ends_with('>') {
        return None;
    }
    let open = t.rfind('<')?;
    let marker = &t[open..];
    let normal = marker.replace(".>", ">");
    if EDITED.contains(&normal.as_str()) {
        Some(t[..open].trim_end_matches(|c: char| c == ' ' || is_invisible_mark(c)))
    } else {
        None
    }
}

fn ios_attached(line: &str) -> Option<(usize, usize, String)> {
    // `<attached: NAME>` with optional spaces inside the angle brackets; `‹` seen in German.
    let mut search = 0;
    while let Some(off) = line[search..].find(['<', '‹']) {
        let start = search + off;
        let open_len = line[start..].chars().next().map_or(1, char::len_utf8);
        let inner_start = start + open_len;
        let end = match line[inner_start..].find('>') {
            Some(e) => inner_start + e,
            None => return None,
        };
        let inner = strip_marks(line[inner_start..end].trim());
        if let Some(colon) = inner.find(':') {
            let keyword = inner[..colon].trim().to_lowercase();
            if ATTACHED_KEYWORDS.contains(&keyword.as_str()) {
                let name = inner[colon + 1..].trim().to_string();
                if !name.is_empty() {
                    return Some((start, end + 1, name));
                }
            }
        }
        search = inner_start;
    }
    None
}

/// Reads what a message's text means. `text` is everything after `Author: ` (first line and
/// continuation lines joined by `\n`).
pub fn classify(text: &str) -> Classified {
    let mut body = strip_marks(text);
    let mut edited = false;
    if let Some(stripped) = strip_edited(body) {
        body = stripped;
        edited = true;
    }
    let (first, rest) = split_first_line(body);
    let first_clean = strip_marks(first.trim_end());
    let done = |kind, body: String, markers| Classified {
        kind,
        body,
        edited,
        markers,
    };

    // Every deletion and call placeholder starts with one of these capitals: skip the lists
    // for all other text.
    let maybe_marker = matches!(
        first_clean.as_bytes().first(),
        Some(b'T' | b'Y' | b'D' | b'S' | b'E' | b'C' | b'V' | b'Q' | b'H' | b'A' | b'M' | b'L')
    );
    if maybe_marker
        && rest.is_empty()
        && first_clean.len() <= 48
        && DELETED.contains(&strip_final_period(first_clean))
    {
        return done(MessageKind::Deleted, body.to_string(), vec![]);
    }
    if maybe_marker && first_clean.len() < 80 && CALLS.iter().any(|c| first_clean.starts_with(c)) {
        return done(MessageKind::Call, body.to_string(), vec![]);
    }
    if first_clean.ends_with('>') && MEDIA_OMITTED.contains(&first_clean) {
        return done(
            MessageKind::Media,
            rest.to_string(),
            vec![Marker::Omitted("media".into())],
        );
    }
    if first_clean.ends_with(')') {
        for suffix in FILE_ATTACHED {
            if let Some(name) = first_clean.strip_suffix(suffix) {
                let name = strip_marks(name).trim();
                if !name.is_empty() {
                    return done(
                        MessageKind::Media,
                        rest.to_string(),
                        vec![Marker::File(name.to_string())],
                    );
                }
            }
        }
    }
    if first.as_bytes().contains(&b'<') || first.contains('‹') {
        if let Some((s, e, name)) = ios_attached(first) {
            let line_caption = caption(&first[..s], first[e..].trim());
            return done(
                MessageKind::Media,
                caption(&line_caption, rest),
                vec![Marker::File(name)],
            );
        }
        // Old iOS: `3.jpg <attached>` (a direction mark may sit inside the brackets).
        let compact: String = first_clean
            .chars()
            .filter(|c| !is_invisible_mark(*c))
            .collect();
        if let Some(name) = compact.strip_suffix(" <attached>") {
            return done(
                MessageKind::Media,
                rest.to_string(),
                vec![Marker::File(name.trim().to_string())],
            );
        }
    }
    if let Some((_, kind)) = TYPE_OMITTED
        .iter()
        .find(|(t, _)| eq_ascii_ci(first_clean, t))
    {
        return done(
            MessageKind::Media,
            rest.to_string(),
            vec![Marker::Omitted((*kind).to_string())],
        );
    }
    for suffix in DOCUMENT_OMITTED {
        if ends_with_ascii_ci(first_clean, suffix) {
            // `report.pdf • 2 pages document omitted`: keep the name before the bullet.
            let cut = first_clean.len() - suffix.len();
            let head = first_clean[..cut].trim();
            let name = head.split(" • ").next().unwrap_or(head).trim();
            let name = if name.is_empty() { "document" } else { name };
            return done(
                MessageKind::Media,
                rest.to_string(),
                vec![Marker::Omitted(name.to_string())],
            );
        }
    }
    done(MessageKind::Text, body.to_string(), vec![])
}

/// Whether an authored text is really a notice WhatsApp wrote (iOS attributes the encryption
/// notice to the chat).
pub fn is_attributed_system_text(text: &str) -> bool {
    let t = strip_marks(text);
    // Every notice starts with one of these letters: skip the list for everything else.
    matches!(
        t.as_bytes().first(),
        Some(b'M' | b'Y' | b'N' | b'L' | b'I' | b'A')
    ) && SYSTEM_PREFIXES.iter().any(|p| t.starts_with(p))
}

/// Whether an authorless line shows that the chat is a group.
pub fn is_group_event(text: &str) -> bool {
    GROUP_EVENTS.iter().any(|w| text.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(text: &str) -> Classified {
        classify(text)
    }

    #[test]
    fn plain_text_is_kept_as_written() {
        let x = c("Lorem ipsum : dolor sit amet.\n\nsecond ½ x²");
        assert_eq!(x.kind, MessageKind::Text);
        assert_eq!(x.body, "Lorem ipsum : dolor sit amet.\n\nsecond ½ x²");
        assert!(!x.edited && x.markers.is_empty());
    }

    #[test]
    fn android_attachments_in_every_language() {
        for (line, name) in [
            (
                "IMG-20210428-WA0001.jpg (file attached)",
                "IMG-20210428-WA0001.jpg",
            ),
            (
                "\u{200E}4f2680f1db95a8454775cc2eefc95bfc.jpg (Datei angehängt)",
                "4f2680f1db95a8454775cc2eefc95bfc.jpg",
            ),
            (
                "PTT-20200101-WA0001.opus (archivo adjunto)",
                "PTT-20200101-WA0001.opus",
            ),
            ("My File (1).pdf (fichier joint)", "My File (1).pdf"),
            ("VID-1.mp4 (file allegato)", "VID-1.mp4"),
            (
                "AUD-20190101-WA0000. (arquivo anexado)",
                "AUD-20190101-WA0000.",
            ),
        ] {
            let x = c(line);
            assert_eq!(x.kind, MessageKind::Media, "{line}");
            assert_eq!(x.markers, vec![Marker::File(name.into())], "{line}");
            assert_eq!(x.body, "");
        }
        let x = c("IMG-1.jpg (Datei angehängt)\nDir auch frohe Ostern.");
        assert_eq!(x.body, "Dir auch frohe Ostern.");
    }

    #[test]
    fn ios_attachments_with_captions_and_spacing() {
        let x = c("\u{200E}<attached: 00000001-PHOTO-2019-01-01-12-00-00.jpg>");
        assert_eq!(
            x.markers,
            vec![Marker::File(
                "00000001-PHOTO-2019-01-01-12-00-00.jpg".into()
            )]
        );
        assert_eq!(x.body, "");
        let x = c("< attached: 00000042-PHOTO-2020-06-07-15-13-20.jpg >");
        assert_eq!(
            x.markers,
            vec![Marker::File(
                "00000042-PHOTO-2020-06-07-15-13-20.jpg".into()
            )]
        );
        let x = c("Resume.pdf • 2 pages \u{200E}<attached: 00000047-Resume.pdf>");
        assert_eq!(x.markers, vec![Marker::File("00000047-Resume.pdf".into())]);
        assert_eq!(x.body, "Resume.pdf • 2 pages");
        let x = c("<Anhang: 00000002-AUDIO-2020.opus>");
        assert_eq!(
            x.markers,
            vec![Marker::File("00000002-AUDIO-2020.opus".into())]
        );
        let x = c("2015-08-04-PHOTO-00004762.jpg <\u{200E}attached>");
        assert_eq!(
            x.markers,
            vec![Marker::File("2015-08-04-PHOTO-00004762.jpg".into())]
        );
    }

    #[test]
    fn media_left_out_of_the_export() {
        for (line, what) in [
            ("<Media omitted>", "media"),
            ("<Medien ausgeschlossen>", "media"),
            ("\u{200E}sticker omitted", "sticker"),
            ("\u{200E}image omitted", "image"),
            ("Video omitido", "video"),
            ("GIF omitted", "gif"),
            ("Contact card omitted", "contact"),
            ("report.pdf • 2 pages document omitted", "report.pdf"),
        ] {
            let x = c(line);
            assert_eq!(x.kind, MessageKind::Media, "{line}");
            assert_eq!(x.markers, vec![Marker::Omitted(what.into())], "{line}");
        }
    }

    #[test]
    fn deleted_edited_and_calls() {
        for line in [
            "This message was deleted",
            "This message was deleted.",
            "\u{200E}You deleted this message.",
            "Diese Nachricht wurde gelöscht.",
            "Mensagem apagada",
        ] {
            assert_eq!(c(line).kind, MessageKind::Deleted, "{line}");
        }
        let x = c("sample message <This message was edited>");
        assert!(x.edited);
        assert_eq!(x.body, "sample message");
        assert_eq!(x.kind, MessageKind::Text);
        let x = c("Hallo\nzusammen <Diese Nachricht wurde bearbeitet.>");
        assert!(x.edited);
        assert_eq!(x.body, "Hallo\nzusammen");
        let x = c("texto corrigido \u{200E}<Mensagem editada>");
        assert_eq!((x.edited, x.body.as_str()), (true, "texto corrigido"));
        assert_eq!(c("Missed voice call").kind, MessageKind::Call);
        assert_eq!(c("\u{200E}Missed video call").kind, MessageKind::Call);
        // Ordinary text mentioning a marker is text.
        assert_eq!(
            c("I said This message was deleted twice").kind,
            MessageKind::Text
        );
        assert_eq!(c("see <b>this</b>").kind, MessageKind::Text);
    }

    #[test]
    fn attributed_notices() {
        assert!(is_attributed_system_text(
            "\u{200E}Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them."
        ));
        assert!(!is_attributed_system_text("Messages are fun"));
        assert!(is_group_event("+12 345 578 created group \"Groupname\""));
        assert!(!is_group_event("You blocked this contact"));
    }
}
