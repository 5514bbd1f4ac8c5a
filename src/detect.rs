//! Detectors: pure functions that say whether a value is (or a text holds) an identifier,
//! used by `privops scan` to compare what columns hold with what the policy declares.
//!
//! Each detector prefers missing a value to naming a date, an amount or a key as personal
//! data: checksums where the identifier has one (Luhn, mod 97, check digits), the phone
//! parser identities use, and shapes specific enough to stand on their own (JWTs, known
//! token prefixes).

use serde::Serialize;

/// What a detector finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Detector {
    Email,
    Phone,
    Ipv4,
    Ipv6,
    PaymentCard,
    Iban,
    IsraeliId,
    DutchBsn,
    SpanishDni,
    Jwt,
    ApiToken,
    /// A value equal to an identity the state store knows (compared by keyed reference).
    KnownIdentity,
}

impl Detector {
    pub fn name(self) -> &'static str {
        match self {
            Detector::Email => "email",
            Detector::Phone => "phone",
            Detector::Ipv4 => "ipv4",
            Detector::Ipv6 => "ipv6",
            Detector::PaymentCard => "payment_card",
            Detector::Iban => "iban",
            Detector::IsraeliId => "israeli_id",
            Detector::DutchBsn => "dutch_bsn",
            Detector::SpanishDni => "spanish_dni",
            Detector::Jwt => "jwt",
            Detector::ApiToken => "api_token",
            Detector::KnownIdentity => "known_identity",
        }
    }

    /// The category of the taxonomy a column of such values belongs to.
    pub fn category(self) -> &'static str {
        match self {
            Detector::Email => "user.contact.email",
            Detector::Phone => "user.contact.phone_number",
            Detector::Ipv4 | Detector::Ipv6 => "user.device.ip_address",
            Detector::PaymentCard => "user.payment",
            Detector::Iban => "user.financial.bank_account",
            Detector::IsraeliId | Detector::DutchBsn | Detector::SpanishDni => "user.government_id",
            Detector::Jwt | Detector::ApiToken => "user.authorization.credentials",
            Detector::KnownIdentity => "user.unique_id",
        }
    }

    /// Whether a category declared for a column agrees with this detector's values: the
    /// same category, one above or below it, or (for free text) any content category.
    pub fn agrees_with(self, declared: &str) -> bool {
        let mine = self.category();
        declared == mine
            || mine.starts_with(&format!("{declared}."))
            || declared.starts_with(&format!("{mine}."))
            || declared.starts_with("user.content")
            || (self == Detector::KnownIdentity && declared.starts_with("user."))
    }
}

/// The detector a whole value answers to, if any (`default_region` for national phone
/// numbers).
pub fn classify(value: &str, default_region: Option<&str>) -> Option<Detector> {
    let value = value.trim();
    if value.is_empty() || value.len() > 512 {
        return None;
    }
    if is_email(value) {
        Some(Detector::Email)
    } else if is_jwt(value) {
        Some(Detector::Jwt)
    } else if is_api_token(value) {
        Some(Detector::ApiToken)
    } else if is_ipv4(value) {
        Some(Detector::Ipv4)
    } else if is_ipv6(value) {
        Some(Detector::Ipv6)
    } else if is_iban(value) {
        Some(Detector::Iban)
    } else if is_payment_card(value) {
        Some(Detector::PaymentCard)
    } else if is_spanish_dni(value) {
        Some(Detector::SpanishDni)
    } else if is_phone(value, default_region) {
        Some(Detector::Phone)
    } else if is_israeli_id(value) {
        Some(Detector::IsraeliId)
    } else if is_dutch_bsn(value) {
        Some(Detector::DutchBsn)
    } else {
        None
    }
}

/// Identifiers inside a free text: each token and each run of digits is classified, so a
/// message saying "call me on +972 50-123-4567" holds a phone number. Returns each find
/// with the text it was found in.
pub fn find_in_text(text: &str, default_region: Option<&str>) -> Vec<(Detector, String)> {
    let mut found = Vec::new();
    if text.len() > 64 * 1024 {
        return found;
    }
    // Tokens: runs of characters that can belong to an address, a token or a number.
    let token_char = |c: char| c.is_alphanumeric() || "@.+-_:%/=".contains(c);
    for token in text.split(|c: char| !token_char(c)) {
        let token = token.trim_matches(|c: char| ".,:;-".contains(c));
        if token.len() < 5 {
            continue;
        }
        if let Some(detector) = classify(token, default_region) {
            // A lone 9-digit number in prose is too often an order number.
            if !matches!(detector, Detector::IsraeliId | Detector::DutchBsn) {
                found.push((detector, token.to_string()));
            }
        }
    }
    // Numbers written with spaces, dashes or parentheses: phones, cards and IBANs.
    let mut run = String::new();
    let flush = |run: &mut String, found: &mut Vec<(Detector, String)>| {
        let candidate = run.trim().trim_end_matches(['-', '(']).to_string();
        run.clear();
        let digits = candidate.chars().filter(char::is_ascii_digit).count();
        if digits < 9 || !candidate.contains([' ', '-', '(', ')', '.']) {
            return;
        }
        let detector = if is_iban(&candidate) {
            Some(Detector::Iban)
        } else if is_payment_card(&candidate) {
            Some(Detector::PaymentCard)
        } else if (candidate.starts_with('+') || candidate.starts_with('0'))
            && is_phone(&candidate, default_region)
        {
            Some(Detector::Phone)
        } else {
            None
        };
        if let Some(detector) = detector {
            if !found.iter().any(|(_, f)| candidate.contains(f.as_str())) {
                found.push((detector, candidate));
            }
        }
    };
    for c in text.chars() {
        let part_of_number = c.is_ascii_digit()
            || (c == '+' && run.is_empty())
            || (!run.is_empty() && " -().".contains(c))
            || (run.len() < 2
                && c.is_ascii_uppercase()
                && run.chars().all(|r| r.is_ascii_uppercase()));
        if part_of_number {
            run.push(c);
        } else {
            flush(&mut run, &mut found);
        }
    }
    flush(&mut run, &mut found);
    found
}

pub fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.ends_with('.')
        && domain
            .rsplit('.')
            .next()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()))
        && value.parse::<email_address::EmailAddress>().is_ok()
}

/// A phone number as identities read it: international (`+…`, `00…`) anywhere, national
/// only with a default region and a leading trunk `0`.
pub fn is_phone(value: &str, default_region: Option<&str>) -> bool {
    let digits = value.chars().filter(char::is_ascii_digit).count();
    if !(8..=15).contains(&digits)
        || value
            .chars()
            .any(|c| !(c.is_ascii_digit() || " +-().".contains(c)))
    {
        return false;
    }
    let trimmed = value.trim();
    let international = trimmed.starts_with('+') || trimmed.starts_with("00");
    let national = default_region.is_some() && trimmed.starts_with('0');
    if !(international || national) {
        return false;
    }
    let rule = if international { None } else { default_region };
    crate::subject::normalise(crate::policy::Normalise::Phone, rule, trimmed).is_ok()
}

pub fn is_ipv4(value: &str) -> bool {
    // Four parts, none with a leading zero: "1.2.3.4" but not a version "01.02.03.04".
    let parts: Vec<&str> = value.split('.').collect();
    parts.len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && (p.len() == 1 || !p.starts_with('0')))
        && value.parse::<std::net::Ipv4Addr>().is_ok()
        && value != "0.0.0.0"
}

pub fn is_ipv6(value: &str) -> bool {
    value.contains(':')
        && value.chars().filter(|c| *c == ':').count() >= 2
        && value
            .parse::<std::net::Ipv6Addr>()
            .is_ok_and(|ip| !ip.is_unspecified())
}

/// Luhn over the digits of `value`.
fn luhn(digits: &[u32]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                *d
            }
        })
        .sum();
    sum % 10 == 0
}

/// 13 to 19 digits (spaces and dashes allowed), a card network's first digit, Luhn.
pub fn is_payment_card(value: &str) -> bool {
    if value
        .chars()
        .any(|c| !(c.is_ascii_digit() || c == ' ' || c == '-'))
    {
        return false;
    }
    let digits: Vec<u32> = value.chars().filter_map(|c| c.to_digit(10)).collect();
    (13..=19).contains(&digits.len())
        && matches!(digits[0], 2..=6)
        && !digits.iter().all(|d| *d == digits[0])
        && luhn(&digits)
}

/// The length of an IBAN in the countries most often met; others are accepted between
/// 15 and 34 characters.
fn iban_length(country: &str) -> Option<usize> {
    Some(match country {
        "IL" => 23,
        "DE" => 22,
        "FR" | "IT" | "MC" => 27,
        "GB" | "IE" => 22,
        "NL" => 18,
        "BE" => 16,
        "ES" | "SE" => 24,
        "CH" | "LI" => 21,
        "AT" => 20,
        "PL" => 28,
        "PT" => 25,
        "DK" | "FI" => 18,
        "NO" => 15,
        "LU" => 20,
        _ => return None,
    })
}

/// Two letters, two check digits, the account: mod 97 of the rearranged number is 1.
pub fn is_iban(value: &str) -> bool {
    let compact: String = value.chars().filter(|c| *c != ' ').collect();
    let bytes = compact.as_bytes();
    if !(15..=34).contains(&bytes.len())
        || !bytes[..2].iter().all(u8::is_ascii_uppercase)
        || !bytes[2..4].iter().all(u8::is_ascii_digit)
        || !bytes[4..]
            .iter()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
    {
        return false;
    }
    if iban_length(&compact[..2]).is_some_and(|n| n != bytes.len()) {
        return false;
    }
    let rearranged = format!("{}{}", &compact[4..], &compact[..4]);
    let mut remainder: u64 = 0;
    for c in rearranged.chars() {
        let n = c.to_digit(36).expect("checked above") as u64;
        remainder = if n >= 10 {
            (remainder * 100 + n) % 97
        } else {
            (remainder * 10 + n) % 97
        };
    }
    remainder == 1
}

/// Nine digits (fewer are padded with zeros) whose last is the check digit: the digits
/// weighted 1, 2, 1, 2… with the tens of each product added, sum divisible by 10.
pub fn is_israeli_id(value: &str) -> bool {
    if value.is_empty() || value.len() > 9 || !value.chars().all(|c| c.is_ascii_digit()) {
        return false;
    }
    if value.len() < 8 {
        return false;
    }
    let padded = format!("{value:0>9}");
    if padded.chars().all(|c| c == '0') {
        return false;
    }
    let sum: u32 = padded
        .chars()
        .enumerate()
        .map(|(i, c)| {
            let d = c.to_digit(10).unwrap() * if i % 2 == 0 { 1 } else { 2 };
            if d > 9 { d - 9 } else { d }
        })
        .sum();
    sum % 10 == 0
}

/// The Dutch citizen service number: nine digits passing the eleven test.
pub fn is_dutch_bsn(value: &str) -> bool {
    if value.len() != 9 || !value.chars().all(|c| c.is_ascii_digit()) || value.starts_with('0') {
        return false;
    }
    let digits: Vec<i64> = value
        .chars()
        .map(|c| c.to_digit(10).unwrap() as i64)
        .collect();
    let sum: i64 = digits[..8]
        .iter()
        .enumerate()
        .map(|(i, d)| d * (9 - i as i64))
        .sum::<i64>()
        - digits[8];
    sum % 11 == 0 && sum != 0
}

/// A Spanish DNI (eight digits and the check letter) or NIE (X, Y or Z, seven digits,
/// the letter).
pub fn is_spanish_dni(value: &str) -> bool {
    const LETTERS: &[u8] = b"TRWAGMYFPDXBNJZSQVHLCKE";
    let value = value.trim().to_ascii_uppercase();
    if value.len() != 9 || !value.is_ascii() {
        return false;
    }
    let (body, letter) = value.split_at(8);
    let number = match body.as_bytes()[0] {
        b'X' => format!("0{}", &body[1..]),
        b'Y' => format!("1{}", &body[1..]),
        b'Z' => format!("2{}", &body[1..]),
        _ => body.to_string(),
    };
    let Ok(n) = number.parse::<u32>() else {
        return false;
    };
    number.chars().all(|c| c.is_ascii_digit()) && letter.as_bytes()[0] == LETTERS[(n % 23) as usize]
}

/// Three base64url parts, the first a JSON header naming its algorithm.
pub fn is_jwt(value: &str) -> bool {
    use base64::Engine;
    let parts: Vec<&str> = value.split('.').collect();
    if parts.len() != 3 || parts[0].len() < 10 || parts[1].is_empty() {
        return false;
    }
    let b64 = |p: &str| {
        p.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    if !parts.iter().take(2).all(|p| b64(p)) {
        return false;
    }
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(parts[0])
        .ok()
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .is_some_and(|header| header.get("alg").is_some())
}

/// Secrets by their issuers' prefixes, long enough and varied enough to be keys.
pub fn is_api_token(value: &str) -> bool {
    const PREFIXES: &[(&str, usize)] = &[
        ("sk-", 20),
        ("sk_live_", 16),
        ("sk_test_", 16),
        ("rk_live_", 16),
        ("ghp_", 30),
        ("gho_", 30),
        ("github_pat_", 30),
        ("xoxb-", 20),
        ("xoxp-", 20),
        ("AKIA", 16),
        ("AIza", 30),
        ("glpat-", 20),
    ];
    if value.contains(char::is_whitespace) {
        return false;
    }
    PREFIXES.iter().any(|(prefix, rest)| {
        value.strip_prefix(prefix).is_some_and(|tail| {
            tail.len() >= *rest
                && tail
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                && tail.chars().any(|c| c.is_ascii_digit())
                && tail.chars().any(|c| c.is_ascii_alphabetic())
        })
    })
}

/// An example of a find that identifies nobody: `d***@e***.com`, `+9***7`.
pub fn masked(detector: Detector, value: &str) -> String {
    let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
    match detector {
        Detector::Email => {
            let (local, domain) = value.rsplit_once('@').unwrap_or((value, ""));
            let tld = domain.rsplit_once('.').map_or("", |(_, t)| t);
            format!("{}***@{}***.{tld}", first(local), first(domain))
        }
        _ => {
            let last = value.chars().last().map(String::from).unwrap_or_default();
            format!("{}***{last}", first(value))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_detector_tells_identifiers_from_look_alikes() {
        let cases: &[(&str, Option<Detector>)] = &[
            ("dana@example.com", Some(Detector::Email)),
            ("Dana.Levi+news@mail.example.co.il", Some(Detector::Email)),
            ("not an@address", None),
            ("user@localhost", None),
            ("+972 53-498-8960", Some(Detector::Phone)),
            ("+1 (202) 555-0143", Some(Detector::Phone)),
            ("00972534988960", Some(Detector::Phone)),
            ("053-498-8960", Some(Detector::Phone)),
            ("2026-11-20", None),
            ("20261120", None),
            ("1234.56", None),
            ("192.168.1.20", Some(Detector::Ipv4)),
            ("10.0.0.1", Some(Detector::Ipv4)),
            ("1.2.3", None),
            ("01.02.03.04", None),
            ("2001:db8::8a2e:370:7334", Some(Detector::Ipv6)),
            ("12:30:45", None),
            ("4111 1111 1111 1111", Some(Detector::PaymentCard)),
            ("5500-0000-0000-0004", Some(Detector::PaymentCard)),
            ("4111 1111 1111 1112", None),
            ("1234567812345678", None),
            ("IL620108000000099999999", Some(Detector::Iban)),
            ("DE89 3704 0044 0532 0130 00", Some(Detector::Iban)),
            ("GB29NWBK60161331926819", Some(Detector::Iban)),
            ("FR1420041010050500013M02606", Some(Detector::Iban)),
            ("NL91ABNA0417164300", Some(Detector::Iban)),
            ("DE89370400440532013001", None),
            ("GB29NWBK6016133192681", None),
            ("000000018", Some(Detector::IsraeliId)),
            ("123456782", Some(Detector::IsraeliId)),
            ("123456789", None),
            ("111222333", Some(Detector::DutchBsn)),
            ("12345678Z", Some(Detector::SpanishDni)),
            ("X1234567L", Some(Detector::SpanishDni)),
            ("12345678A", None),
            (
                "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
                Some(Detector::Jwt),
            ),
            ("a.b.c", None),
            ("sk-proj1234567890abcdefghijkl", Some(Detector::ApiToken)),
            ("AKIAIOSFODNN7EXAMPLE", Some(Detector::ApiToken)),
            (
                "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789",
                Some(Detector::ApiToken),
            ),
            ("sk-short", None),
            ("reply", None),
            ("500", None),
            ("", None),
        ];
        for (value, expected) in cases {
            assert_eq!(classify(value, Some("IL")), *expected, "{value}");
        }
        // Without a default region a national number is not taken for a phone.
        assert_eq!(classify("053-498-8960", None), None);
    }

    #[test]
    fn free_text_is_searched_for_the_same_identifiers() {
        let text = "Hi, it's Dana (dana@example.com), call me on +972 53-498-8960 or pay to \
                    IL62 0108 0000 0009 9999 999; card 4111-1111-1111-1111. Order 123456782 \
                    shipped on 2026-11-20 for 1,234.56.";
        let found: Vec<Detector> = find_in_text(text, Some("IL"))
            .into_iter()
            .map(|(d, _)| d)
            .collect();
        for expected in [
            Detector::Email,
            Detector::Phone,
            Detector::Iban,
            Detector::PaymentCard,
        ] {
            assert!(found.contains(&expected), "{expected:?} not in {found:?}");
        }
        assert!(!found.contains(&Detector::IsraeliId), "{found:?}");
        assert!(
            find_in_text(
                "Meeting moved to 14:30 on 2026-11-20, room 101.",
                Some("IL")
            )
            .is_empty()
        );
    }

    #[test]
    fn text_of_any_script_is_read_without_panicking() {
        for text in [
            "MINHA Fé",
            "Bê-A-Bá",
            "שלום עולם",
            "ÅÄÖ12345Ø",
            "€€€€€€€€€",
            "Zé 12345678é",
            "IL€2",
            "a@é.ü",
        ] {
            let _ = classify(text, Some("IL"));
            let _ = find_in_text(text, Some("IL"));
            for d in [Detector::Email, Detector::Phone, Detector::Iban] {
                let _ = masked(d, text);
            }
        }
    }

    #[test]
    fn examples_are_masked() {
        assert_eq!(masked(Detector::Email, "dana@example.com"), "d***@e***.com");
        assert_eq!(masked(Detector::Phone, "+972501234567"), "+***7");
    }
}
