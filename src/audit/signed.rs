//! Signed documents: erasure receipts and deletion certificates carry an Ed25519
//! signature, made with the audit checkpoint key, over the canonical JSON of every other
//! field. `archive verify` checks one offline; with `--trusted-key` it also checks that
//! the key that signed it is the controller's.

use anyhow::{Context, Result, bail};
use ed25519_dalek::pkcs8::DecodePublicKey;
use ed25519_dalek::{Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::canonical_json;

/// The signature field of a signed document.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Signature {
    pub algorithm: String,
    /// The signing key's public half (PEM), so the document checks without the store.
    pub public_key: String,
    /// Hex of the 64-byte signature.
    pub value: String,
}

/// The fields of `document` with a `signature` over their canonical JSON.
pub fn sign(key: &SigningKey, document: &impl Serialize) -> Result<Value> {
    let mut value = serde_json::to_value(document)?;
    let Value::Object(fields) = &mut value else {
        bail!("only a JSON object can be signed");
    };
    fields.remove("signature");
    let message = canonical_json(&value);
    let signature = Signature {
        algorithm: "ed25519".into(),
        public_key: super::checkpoint::public_pem(key)?,
        value: hex::encode(key.sign(message.as_bytes()).to_bytes()),
    };
    let Value::Object(fields) = &mut value else {
        unreachable!("checked above");
    };
    fields.insert("signature".into(), serde_json::to_value(signature)?);
    Ok(value)
}

/// What checking a signed document found.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// `deletion-certificate`, `erasure-receipt`, or what the document says it is.
    pub kind: Option<String>,
    pub problems: Vec<String>,
    /// The key that signed it matches the trusted key.
    pub trusted: bool,
}

/// Checks the signature of a document read from a file; a document with no signature,
/// a signature that does not match its fields, or (with `trusted`) another key fails.
pub fn check(text: &str, trusted: Option<&VerifyingKey>) -> Result<Check> {
    let mut value: Value = serde_json::from_str(text).context("not a JSON document")?;
    let kind = value
        .get("kind")
        .and_then(Value::as_str)
        .map(str::to_string);
    let mut problems = Vec::new();
    let signature = match &mut value {
        Value::Object(fields) => fields.remove("signature"),
        _ => None,
    };
    let Some(signature) = signature else {
        problems.push("the document carries no signature".into());
        return Ok(Check {
            kind,
            problems,
            trusted: false,
        });
    };
    let signature: Signature = match serde_json::from_value(signature) {
        Ok(signature) => signature,
        Err(error) => {
            problems.push(format!("the signature field is malformed: {error}"));
            return Ok(Check {
                kind,
                problems,
                trusted: false,
            });
        }
    };
    if signature.algorithm != "ed25519" {
        problems.push(format!(
            "unknown signature algorithm `{}`",
            signature.algorithm
        ));
    }
    let key = VerifyingKey::from_public_key_pem(&signature.public_key);
    let bytes = hex::decode(&signature.value)
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b).ok());
    match (key, bytes) {
        (Ok(key), Some(bytes)) => {
            let message = canonical_json(&value);
            let signature = ed25519_dalek::Signature::from_bytes(&bytes);
            if key.verify(message.as_bytes(), &signature).is_err() {
                problems.push(
                    "the signature does not match the document: it was changed after it was signed"
                        .into(),
                );
            }
            let trusted_key = trusted.is_some_and(|t| t.as_bytes() == key.as_bytes());
            if trusted.is_some() && !trusted_key {
                problems.push("the document was not signed by the trusted key".into());
            }
            Ok(Check {
                kind,
                problems,
                trusted: trusted_key,
            })
        }
        _ => {
            problems.push("the signature or its public key is malformed".into());
            Ok(Check {
                kind,
                problems,
                trusted: false,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_document_checks_and_an_edited_one_does_not() {
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let document =
            serde_json::json!({ "kind": "deletion-certificate", "rows": { "b": 2, "a": 1 } });
        let signed = sign(&key, &document).unwrap();
        let text = serde_json::to_string_pretty(&signed).unwrap();
        let check = super::check(&text, Some(&key.verifying_key())).unwrap();
        assert!(check.problems.is_empty(), "{:?}", check.problems);
        assert!(check.trusted);
        assert_eq!(check.kind.as_deref(), Some("deletion-certificate"));

        let edited = text.replace("\"b\": 2", "\"b\": 3");
        assert_ne!(edited, text);
        let check = super::check(&edited, None).unwrap();
        assert_eq!(check.problems.len(), 1, "{:?}", check.problems);

        let other = SigningKey::from_bytes(&[8u8; 32]);
        let check = super::check(&text, Some(&other.verifying_key())).unwrap();
        assert!(!check.trusted);
        assert!(!check.problems.is_empty());

        let unsigned = super::check("{\"kind\": \"x\"}", None).unwrap();
        assert!(!unsigned.problems.is_empty());
    }
}
