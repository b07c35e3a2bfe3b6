//! The one-time recovery key: 160 random bits shown once at `init` as eight groups of four
//! Crockford-style base32 characters (`HF7Q-...`), enough to unwrap the data key when the
//! passphrase is forgotten. High entropy, so it is stretched with HKDF, not Argon2.

use data_encoding::BASE32_NOPAD;
use zeroize::Zeroizing;

use super::SecretKey;

const BYTES: usize = 20;

pub struct RecoveryKey(Zeroizing<[u8; BYTES]>);

impl RecoveryKey {
    pub fn generate() -> Self {
        let mut k = Zeroizing::new([0u8; BYTES]);
        super::fill_random(k.as_mut());
        RecoveryKey(k)
    }

    /// Accepts the displayed form with any case, spaces or dashes.
    pub fn parse(text: &str) -> Option<Self> {
        let cleaned: Zeroizing<String> = Zeroizing::new(
            text.chars()
                .filter(|c| !c.is_whitespace() && *c != '-')
                .map(|c| c.to_ascii_uppercase())
                .map(|c| match c {
                    // Characters people mistype for the ones base32 uses.
                    '0' => 'O',
                    '1' => 'I',
                    '8' => 'B',
                    other => other,
                })
                .collect(),
        );
        let bytes = Zeroizing::new(BASE32_NOPAD.decode(cleaned.as_bytes()).ok()?);
        let arr: [u8; BYTES] = bytes.as_slice().try_into().ok()?;
        Some(RecoveryKey(Zeroizing::new(arr)))
    }

    pub fn display(&self) -> Zeroizing<String> {
        let raw = Zeroizing::new(BASE32_NOPAD.encode(self.0.as_ref()));
        let mut out = Zeroizing::new(String::with_capacity(40));
        for (i, c) in raw.chars().enumerate() {
            if i > 0 && i % 4 == 0 {
                out.push('-');
            }
            out.push(c);
        }
        out
    }

    /// The key-encryption key this recovery key stands for.
    pub fn kek(&self) -> SecretKey {
        let hk = hkdf::Hkdf::<sha2::Sha256>::new(Some(b"holdfast recovery v1"), self.0.as_ref());
        let mut out = [0u8; 32];
        hk.expand(b"recovery kek", &mut out)
            .expect("32 bytes is a valid HKDF output length");
        SecretKey::from_bytes(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_parses_back_in_any_case_and_spacing() {
        let k = RecoveryKey::generate();
        let shown = k.display();
        assert_eq!(
            shown.len(),
            39,
            "8 groups of 4 and 7 dashes: {}",
            shown.as_str()
        );
        let again = RecoveryKey::parse(&shown.to_lowercase().replace('-', " ")).unwrap();
        assert_eq!(again.kek().as_bytes(), k.kek().as_bytes());
    }

    #[test]
    fn garbage_is_rejected() {
        assert!(RecoveryKey::parse("not a key").is_none());
        assert!(RecoveryKey::parse("").is_none());
        assert!(RecoveryKey::parse("AAAA-AAAA").is_none());
    }
}
