//! Data subjects: parsing `KIND:VALUE`, normalising identities as the policy says, and
//! the keyed reference under which privops records a subject without keeping who it is.

use std::fmt;
use std::path::Path;

use anyhow::{Context, Result, bail};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::fsutil;
use crate::policy::{IdentityKind, Normalise, Policy};

/// A subject identity after normalisation: `email:alice@example.com`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Subject {
    pub kind: String,
    pub value: String,
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind, self.value)
    }
}

impl Subject {
    /// Parses `KIND:VALUE` and normalises the value by the rule of its kind.
    pub fn parse(text: &str, policy: &Policy) -> Result<Subject> {
        let Some((kind, value)) = text.split_once(':') else {
            bail!("subject `{text}` must be written KIND:VALUE, e.g. email:alice@example.com");
        };
        let kind = kind.trim();
        let Some(identity) = policy.identity_kind(kind) else {
            let known: Vec<&str> = policy
                .identities
                .iter()
                .map(|(_, i)| i.get_ref().kind.get_ref().as_str())
                .collect();
            bail!(
                "subject `{text}`: unknown identity kind `{kind}`; the policy declares: {}",
                known.join(", ")
            );
        };
        let region = identity
            .default_region
            .as_ref()
            .map(|r| r.get_ref().as_str());
        let value = normalise(identity.normalise, region, value)
            .with_context(|| format!("subject `{text}`"))?;
        Ok(Subject {
            kind: kind.to_string(),
            value,
        })
    }
}

/// Applies one normalisation rule; errors say what is wrong with the value.
pub fn normalise(rule: Normalise, default_region: Option<&str>, value: &str) -> Result<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        bail!("the value is empty");
    }
    match rule {
        Normalise::Trim => Ok(trimmed.to_string()),
        Normalise::Lower => Ok(trimmed.to_lowercase()),
        Normalise::Email => {
            let lowered = trimmed.to_lowercase();
            if !email_address::EmailAddress::is_valid(&lowered) {
                bail!("`{trimmed}` is not a valid e-mail address");
            }
            Ok(lowered)
        }
        Normalise::Phone => {
            let region = default_region
                .map(|r| r.parse::<phonenumber::country::Id>())
                .transpose()
                .map_err(|_| anyhow::anyhow!("unknown default region"))?;
            let number = parse_phone(region, trimmed)?;
            Ok(number.format().mode(phonenumber::Mode::E164).to_string())
        }
    }
}

/// A phone number as people write it: brackets, spaces, dashes, dots, `tel:`, a trunk
/// prefix after the country code (`+49 0711 ...`, `+44 (0)20 ...`), the region's own
/// international prefix, or `00` for one where the region has another (or none is set).
fn parse_phone(
    region: Option<phonenumber::country::Id>,
    text: &str,
) -> Result<phonenumber::PhoneNumber> {
    // A number written with its country code is read by that country's rules alone (its
    // trunk prefix, its formats): the default region only serves numbers without one.
    let start = text.trim_start_matches(|c: char| c == '(' || c == '[' || c.is_whitespace());
    let start = start.strip_prefix("tel:").unwrap_or(start);
    let region = if start.starts_with('+') { None } else { region };
    let valid = |region, text: &str| {
        phonenumber::parse(region, text)
            .ok()
            .filter(phonenumber::is_valid)
    };
    let number = match valid(region, text) {
        Some(number) => number,
        None => {
            let international = start
                .strip_prefix("00")
                .and_then(|rest| valid(None, &format!("+{rest}")));
            match international {
                Some(number) => number,
                None => match phonenumber::parse(region, text) {
                    Err(e) => bail!("`{text}` is not a phone number: {e}"),
                    Ok(_) => bail!("`{text}` is not a valid phone number"),
                },
            }
        }
    };
    if number.extension().is_some() {
        // E.164 has no extensions: the number would stand for the whole switchboard.
        bail!("`{text}` has an extension; a phone identity must be one line, without it");
    }
    Ok(number)
}

/// How the values of one identity kind are normalised, written and looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IdentityRule {
    pub normalise: Normalise,
    pub default_region: Option<String>,
}

impl IdentityRule {
    pub fn of(kind: &IdentityKind) -> IdentityRule {
        IdentityRule {
            normalise: kind.normalise,
            default_region: kind.default_region.as_ref().map(|r| r.get_ref().clone()),
        }
    }

    pub fn normalise(&self, value: &str) -> Result<String> {
        normalise(self.normalise, self.default_region.as_deref(), value)
    }

    /// The normalised form, as warnings name it.
    pub(crate) fn form_name(&self) -> &'static str {
        match self.normalise {
            Normalise::Email => "normalised (lower-case)",
            Normalise::Phone => "E.164",
            Normalise::Lower => "lower-case",
            Normalise::Trim => "trimmed",
        }
    }

    /// E-mail addresses are stored in any case: lookups compare the column lower-cased
    /// (or under a case-insensitive collation).
    pub(crate) fn folds_case(&self) -> bool {
        self.normalise == Normalise::Email
    }

    /// The values a lookup compares the column with, for the normalised `value`: the value
    /// itself and, for phones, the forms numbers are commonly stored in. Every form is one
    /// this rule reads back as the same number (a national form only where the default
    /// region makes it so), or, for bare digits, as no valid number at all: a lookup never
    /// matches a value that stands for someone else's number.
    pub fn forms(&self, value: &str) -> Vec<String> {
        if self.normalise != Normalise::Phone {
            return vec![value.to_string()];
        }
        let Ok(number) = phonenumber::parse(None, value) else {
            return vec![value.to_string()];
        };
        let e164 = number.format().mode(phonenumber::Mode::E164).to_string();
        let international = number
            .format()
            .mode(phonenumber::Mode::International)
            .to_string();
        let national = number
            .format()
            .mode(phonenumber::Mode::National)
            .to_string();
        let rfc3966 = number.format().mode(phonenumber::Mode::Rfc3966).to_string();
        let groups = |text: &str| -> Vec<String> {
            text.split(|c: char| !c.is_ascii_digit())
                .filter(|g| !g.is_empty())
                .map(str::to_string)
                .collect()
        };
        let code = number.code().value();
        let international_groups = groups(&international);
        let national_groups = groups(&national);
        let mut candidates = vec![
            e164.clone(),
            international.clone(),
            format!("+{}", international_groups.join(" ")),
            format!("+{}", international_groups.join("-")),
            rfc3966,
            // The country code before the national form, trunk prefix and all.
            format!("+{code} {national}"),
            national.clone(),
        ];
        for separator in ["-", " ", ".", ""] {
            candidates.push(national_groups.join(separator));
        }
        let mut forms: Vec<String> = Vec::new();
        for candidate in candidates {
            if !forms.contains(&candidate) && self.normalise(&candidate).ok() == Some(e164.clone())
            {
                forms.push(candidate);
            }
        }
        // Digits only, with the country code: unless the region reads them as another number.
        let digits = e164[1..].to_string();
        if !forms.contains(&digits) && self.normalise(&digits).map_or(true, |other| other == e164) {
            forms.push(digits);
        }
        forms
    }

    /// Whether a lookup for the subject `normalised` finds the stored `value`.
    pub fn finds(&self, value: &str, normalised: &str) -> bool {
        if self.folds_case() {
            value.to_lowercase() == normalised
        } else {
            self.forms(normalised).iter().any(|f| f == value)
        }
    }
}

/// Writes a new random key beside `key_file` and links it into place, so that processes
/// racing to create it all end up reading the one that won.
fn create_key_file(key_file: &Path) -> Result<()> {
    let key: [u8; 32] = rand::random();
    let temp = key_file.with_extension(format!("{}.tmp", std::process::id()));
    let _ = std::fs::remove_file(&temp);
    fsutil::write_private_new(&temp, format!("{}\n", hex::encode(key)).as_bytes())?;
    let linked = std::fs::hard_link(&temp, key_file);
    let _ = std::fs::remove_file(&temp);
    match linked {
        Err(error) if error.kind() != std::io::ErrorKind::AlreadyExists => Err(error.into()),
        _ => Ok(()),
    }
}

/// What a pseudonym starts with.
pub(crate) const PSEUDONYM_PREFIX: &str = "hmac:";

/// The secret behind keyed subject references.
#[derive(Clone)]
pub struct SubjectKey(Vec<u8>);

impl fmt::Debug for SubjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SubjectKey(..)")
    }
}

pub(crate) const SUBJECT_KEY_ENV: &str = "PRIVOPS_SUBJECT_KEY";

/// A subject's reference from the key's state for the `subject` domain: the MAC of its
/// text, `KIND:VALUE`, hashed in parts rather than formatted first.
fn subject_mac(keyed: &Hmac<Sha256>, subject: &Subject) -> String {
    let mut mac = keyed.clone();
    mac.update(subject.kind.as_bytes());
    mac.update(b":");
    finish_mac(mac, subject.value.as_bytes())
}

/// The hex digest of `mac` once `text` is hashed in.
fn finish_mac(mut mac: Hmac<Sha256>, text: &[u8]) -> String {
    mac.update(text);
    crate::hexfmt::lower(&mac.finalize().into_bytes())
}

impl SubjectKey {
    /// `PRIVOPS_SUBJECT_KEY` when set, else the key file, created (0600) on first use and
    /// refused when others may read it.
    pub fn load(key_file: &Path) -> Result<SubjectKey> {
        if let Ok(key) = std::env::var(SUBJECT_KEY_ENV) {
            if key.len() < 16 {
                bail!(
                    "{SUBJECT_KEY_ENV} is too short: use at least 16 characters (32 random bytes in hex is best)"
                );
            }
            return Ok(SubjectKey(key.into_bytes()));
        }
        if !key_file.exists() {
            return Err(crate::error::not_initialised(format!(
                "no subject key at {}: this workspace is not initialised (or set {SUBJECT_KEY_ENV})",
                key_file.display()
            )));
        }
        let text = fsutil::read_key_file(key_file, "subject key")?;
        let key = hex::decode(text.trim())
            .with_context(|| format!("the subject key {} is not hex", key_file.display()))?;
        Ok(SubjectKey(key))
    }

    /// Creates the key file if there is none (`privops init` and `privops demo`).
    pub(crate) fn create_if_missing(key_file: &Path) -> Result<()> {
        if std::env::var_os(SUBJECT_KEY_ENV).is_some() || key_file.exists() {
            return Ok(());
        }
        create_key_file(key_file)
            .with_context(|| format!("cannot create the subject key {}", key_file.display()))
    }

    pub fn from_bytes(bytes: &[u8]) -> SubjectKey {
        SubjectKey(bytes.to_vec())
    }

    /// The HMAC of this key with `domain` and its separator already hashed in: cloned,
    /// it finishes a MAC of that domain without hashing the key's blocks again.
    fn keyed(&self, domain: &str) -> Hmac<Sha256> {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes keys of any length");
        mac.update(domain.as_bytes());
        mac.update(&[0]);
        mac
    }

    fn mac(&self, domain: &str, text: &str) -> String {
        finish_mac(self.keyed(domain), text.as_bytes())
    }

    /// The keyed reference of a subject: stable, and revealing nothing without the key.
    pub fn reference(&self, subject: &Subject) -> String {
        subject_mac(&self.keyed("subject"), subject)
    }

    /// [`SubjectKey::reference`] of each subject, in order. The key is hashed once for
    /// all, and a long list (a batch check of 100,000 subjects) is shared among the
    /// machine's cores.
    pub fn references(&self, subjects: &[Subject]) -> Vec<String> {
        let keyed = self.keyed("subject");
        crate::parallel::map(subjects, |subject| subject_mac(&keyed, subject))
    }

    /// A keyed pseudonym for a masked value (erasure and holds with `mask = "hmac"`):
    /// `hmac:` and 32 hex digits, the last 8 of which authenticate the first 24, so that
    /// [`SubjectKey::is_pseudonym`] can tell a pseudonym made with this key from a value
    /// that merely looks like one.
    pub fn pseudonym(&self, value: &str) -> String {
        let body = &self.mac("pseudonym", value)[..24];
        let tag = &self.mac("pseudonym-tag", body)[..8];
        format!("{PSEUDONYM_PREFIX}{body}{tag}")
    }

    /// True only for a pseudonym this key made: whether a value is already masked is
    /// checked, never guessed from its look (a name may well start with `hmac:`).
    pub(crate) fn is_pseudonym(&self, text: &str) -> bool {
        let Some(hex) = text.strip_prefix(PSEUDONYM_PREFIX) else {
            return false;
        };
        if hex.len() != 32
            || !hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return false;
        }
        let (body, tag) = hex.split_at(24);
        self.mac("pseudonym-tag", body)[..8] == *tag
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_of_a_list_are_each_subjects_reference() {
        let key = SubjectKey::from_bytes(b"a key of sixteen bytes or more");
        // Long enough to be shared among threads, with kinds and values of every length
        // around SHA-256's 64-byte block.
        let subjects: Vec<Subject> = (0..10_000)
            .map(|i| Subject {
                kind: if i % 2 == 0 { "email" } else { "customer_id" }.to_string(),
                value: format!("{}{i}@example.com", "x".repeat(i % 70)),
            })
            .collect();
        let one_by_one: Vec<String> = subjects.iter().map(|s| key.reference(s)).collect();
        assert_eq!(key.references(&subjects), one_by_one);
        // The reference is the keyed HMAC-SHA256 of `KIND:VALUE`, as stores hold it.
        let mut mac = Hmac::<Sha256>::new_from_slice(b"a key of sixteen bytes or more").unwrap();
        mac.update(b"subject\0email:0@example.com");
        assert_eq!(one_by_one[0], hex::encode(mac.finalize().into_bytes()));
        // Of every subject's text as it is displayed, in one piece.
        for (subject, reference) in subjects.iter().zip(&one_by_one) {
            let mut mac =
                Hmac::<Sha256>::new_from_slice(b"a key of sixteen bytes or more").unwrap();
            mac.update(format!("subject\0{subject}").as_bytes());
            assert_eq!(*reference, hex::encode(mac.finalize().into_bytes()));
        }
    }

    #[test]
    fn emails_are_trimmed_lowered_and_checked() {
        let table: &[(&str, Option<&str>)] = &[
            (" Alice@Example.COM ", Some("alice@example.com")),
            ("Mixed.Case@Example.com", Some("mixed.case@example.com")),
            (
                "bob+news@mail.example.co.uk",
                Some("bob+news@mail.example.co.uk"),
            ),
            ("not-an-address", None),
            ("alice@", None),
            ("@example.com", None),
            ("alice example@example.com", None),
            ("  ", None),
        ];
        for (written, expected) in table {
            let got = normalise(Normalise::Email, None, written).ok();
            assert_eq!(got.as_deref(), *expected, "{written:?}");
        }
    }

    #[test]
    fn phones_are_read_as_people_write_them() {
        // (default region, as written, E.164 or None when it must be refused)
        let table: &[(Option<&str>, &str, Option<&str>)] = &[
            (Some("IL"), "054-612-3456", Some("+972546123456")),
            (Some("IL"), " 054 612 3456 ", Some("+972546123456")),
            (Some("IL"), "054.612.3456", Some("+972546123456")),
            (Some("IL"), "(054) 612-3456", Some("+972546123456")),
            (Some("IL"), "[054] 612-3456", Some("+972546123456")),
            (
                Some("IL"),
                "054\u{2013}612\u{2013}3456",
                Some("+972546123456"),
            ),
            (Some("IL"), "+972 054-612-3456", Some("+972546123456")),
            (Some("IL"), "+972 (0)54-612-3456", Some("+972546123456")),
            (Some("IL"), "00972 54 612 3456", Some("+972546123456")),
            (Some("IL"), "972546123456", Some("+972546123456")),
            (Some("IL"), "tel:+972-54-612-3456", Some("+972546123456")),
            (None, "+49 0711 2842222", Some("+497112842222")),
            (Some("US"), "+49 0711 2842222", Some("+497112842222")),
            (Some("IL"), "+44 020 7707 0707", Some("+442077070707")),
            (Some("US"), "+33 01 49 70 65 65", Some("+33149706565")),
            (Some("US"), "+54 (0)11 4311 4333", Some("+541143114333")),
            (Some("DE"), "tel:+1-650-253-0000", Some("+16502530000")),
            (None, "+49 (0711) 2842222", Some("+497112842222")),
            (None, "0049 711 2842222", Some("+497112842222")),
            (Some("US"), "0049 711 2842222", Some("+497112842222")),
            (Some("AU"), "0011 49 711 2842222", Some("+497112842222")),
            (None, "+44 (0)20 7946 0018", Some("+442079460018")),
            (None, "+33 (0)1 42 68 53 00", Some("+33142685300")),
            (None, "+972 054-612-3456", Some("+972546123456")),
            (Some("GB"), "020 7946 0018", Some("+442079460018")),
            (None, "+1 (650) 253-0000", Some("+16502530000")),
            (None, "+1.650.253.0000", Some("+16502530000")),
            (Some("US"), "(650) 253-0000", Some("+16502530000")),
            (Some("US"), "1-650-253-0000", Some("+16502530000")),
            (Some("US"), "011 972 54 612 3456", Some("+972546123456")),
            (Some("IT"), "+39 06 1234 5678", Some("+390612345678")),
            (Some("IL"), "+49 30 901820", Some("+4930901820")),
            // Refused: too short or long, no region for a national number, not a number,
            // an extension (the number alone would stand for the whole switchboard).
            (Some("IL"), "12", None),
            (Some("IL"), "00", None),
            (Some("IL"), "+972 54-612-34567", None),
            (Some("US"), "+1 650 253 000", None),
            (None, "054-612-3456", None),
            (Some("IL"), "alice@example.com", None),
            (Some("IL"), "+1 650 253 0000 ext. 12", None),
            (Some("IL"), "", None),
        ];
        for (region, written, expected) in table {
            let got = normalise(Normalise::Phone, *region, written).ok();
            assert_eq!(got.as_deref(), *expected, "{region:?} {written:?}");
        }
    }

    fn phone_rule(region: Option<&str>) -> IdentityRule {
        IdentityRule {
            normalise: Normalise::Phone,
            default_region: region.map(str::to_string),
        }
    }

    #[test]
    fn phone_lookups_try_the_common_stored_forms() {
        let us = phone_rule(Some("US"));
        assert_eq!(
            us.forms("+16502530000"),
            [
                "+16502530000",
                "+1 650-253-0000",
                "+1 650 253 0000",
                "+1-650-253-0000",
                "tel:+1-650-253-0000",
                "+1 (650) 253-0000",
                "(650) 253-0000",
                "650-253-0000",
                "650 253 0000",
                "650.253.0000",
                "6502530000",
                "16502530000",
            ]
        );
        let il = phone_rule(Some("IL"));
        let forms = il.forms("+972546123456");
        for stored in [
            "+972546123456",
            "972546123456",
            "+972 54-612-3456",
            "+972 054-612-3456",
            "054-612-3456",
            "0546123456",
            "tel:+972-54-612-3456",
        ] {
            assert!(forms.iter().any(|f| f == stored), "{stored}: {forms:?}");
        }
        // Every form reads back as the subject's number, and the list stays small.
        for form in &forms {
            assert_eq!(il.normalise(form).unwrap(), "+972546123456", "{form}");
        }
        assert!(forms.len() <= 12, "{forms:?}");
        assert_eq!(forms, il.forms("+972546123456"), "deterministic");
    }

    #[test]
    fn national_forms_only_where_the_region_reads_them_as_the_same_number() {
        // In a German database `020 7946 0018` is a German number, not the London one.
        let de = phone_rule(Some("DE"));
        let forms = de.forms("+442079460018");
        assert!(
            forms
                .iter()
                .all(|f| f.starts_with('+') || f.starts_with("tel:") || f == "442079460018"),
            "{forms:?}"
        );
        // Without a default region no national form means anything.
        let none = phone_rule(None);
        let forms = none.forms("+972546123456");
        assert!(!forms.iter().any(|f| f == "054-612-3456"), "{forms:?}");
        assert!(forms.iter().any(|f| f == "+972 054-612-3456"), "{forms:?}");
        // Digits that the region reads as another valid number are not tried.
        let il = phone_rule(Some("IL"));
        for form in il.forms("+4930901820") {
            assert_eq!(
                il.normalise(&form).ok().as_deref().unwrap_or("+4930901820"),
                "+4930901820",
                "{form}"
            );
        }
        // Other kinds are matched as they are.
        let email = IdentityRule {
            normalise: Normalise::Email,
            default_region: None,
        };
        assert_eq!(email.forms("a@example.com"), ["a@example.com"]);
        assert!(email.finds("Mixed.Case@Example.com", "mixed.case@example.com"));
        assert!(!email.finds(" a@example.com", "a@example.com"));
        assert!(il.finds("054-612-3456", "+972546123456"));
        assert!(!il.finds("054-612-3457", "+972546123456"));
        assert!(!il.finds("+972-5461-23456", "+972546123456"));
    }

    #[test]
    fn pseudonyms_are_recognised_by_their_key_not_their_look() {
        let key = SubjectKey::from_bytes(b"0123456789abcdef0123");
        let other = SubjectKey::from_bytes(b"fedcba9876543210fedc");
        let pseudonym = key.pseudonym("Dana Levi");
        assert!(pseudonym.starts_with("hmac:") && pseudonym.len() == 37);
        assert_eq!(pseudonym, key.pseudonym("Dana Levi"));
        assert!(key.is_pseudonym(&pseudonym));
        assert!(!other.is_pseudonym(&pseudonym));
        for lookalike in [
            "hmac:Bob",
            "hmac:",
            "hmac:0123456789abcdef0123456789abcdef",
            &pseudonym.to_uppercase(),
            &format!("{pseudonym} "),
        ] {
            assert!(!key.is_pseudonym(lookalike), "{lookalike}");
        }
    }

    #[test]
    fn references_depend_on_the_key() {
        let subject = Subject {
            kind: "email".into(),
            value: "a@example.com".into(),
        };
        let one = SubjectKey::from_bytes(b"0123456789abcdef0123");
        let two = SubjectKey::from_bytes(b"fedcba9876543210fedc");
        assert_eq!(one.reference(&subject), one.reference(&subject));
        assert_ne!(one.reference(&subject), two.reference(&subject));
        assert_eq!(one.reference(&subject).len(), 64);
    }
}
