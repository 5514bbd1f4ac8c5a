//! Signed checkpoints: the chain's size and head hash signed with an Ed25519 key, so a
//! truncated or rewritten tail is caught even by someone who can recompute hashes.

use std::path::Path;

use anyhow::{Context, Result, bail};
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::store::{Store, Tx};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, sqlx::FromRow)]
pub struct Checkpoint {
    pub at: String,
    pub size: i64,
    pub head_hash: String,
    /// The signer's public key, PEM (SubjectPublicKeyInfo).
    pub public_key: String,
    /// Ed25519 signature of [`Checkpoint::message`], hex.
    pub signature: String,
}

impl Checkpoint {
    /// The exact bytes signed.
    pub fn message(at: &str, size: i64, head_hash: &str) -> String {
        format!("privops audit checkpoint\nat: {at}\nsize: {size}\nhead: {head_hash}\n")
    }

    /// Checks the signature: with `trusted`, that this key made it (the key the
    /// checkpoint carries is then only used to say whose it was); without, only that the
    /// checkpoint is consistent with the key it carries, which anyone can forge.
    pub(crate) fn check_signature(&self, trusted: Option<&VerifyingKey>) -> Result<(), String> {
        let bytes = hex::decode(&self.signature).map_err(|_| "signature is not hex".to_string())?;
        let signature =
            Signature::from_slice(&bytes).map_err(|e| format!("malformed signature: {e}"))?;
        let message = Self::message(&self.at, self.size, &self.head_hash);
        let carried = VerifyingKey::from_public_key_pem(&self.public_key);
        let key = match trusted {
            Some(trusted) => {
                if carried.as_ref().is_ok_and(|k| k != trusted) {
                    return Err("signed by another key than the trusted one".into());
                }
                trusted
            }
            None => carried
                .as_ref()
                .map_err(|e| format!("unreadable public key: {e}"))?,
        };
        key.verify(message.as_bytes(), &signature)
            .map_err(|_| "the signature does not match".to_string())
    }
}

/// The signing key, created 0600 on first use and refused when others may read it.
pub(crate) fn load_or_create_key(path: &Path) -> Result<SigningKey> {
    if path.exists() {
        let pem = crate::fsutil::read_key_file(path, "signing key")?;
        return SigningKey::from_pkcs8_pem(&pem)
            .map_err(|e| anyhow::anyhow!("{} is not an Ed25519 PKCS#8 key: {e}", path.display()));
    }
    let key = SigningKey::generate(&mut rand::rngs::OsRng);
    let pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    crate::fsutil::write_private_new(path, pem.as_bytes())
        .with_context(|| format!("cannot create the signing key {}", path.display()))?;
    Ok(key)
}

pub fn public_pem(key: &SigningKey) -> Result<String> {
    verifying_pem(&key.verifying_key())
}

/// A public key as PEM (SubjectPublicKeyInfo).
pub(crate) fn verifying_pem(key: &VerifyingKey) -> Result<String> {
    key.to_public_key_pem(LineEnding::LF)
        .map_err(|e| anyhow::anyhow!("{e}"))
}

/// The public half of a signing key file, when the file exists.
pub(crate) fn trusted_public_key(path: &Path) -> Result<Option<VerifyingKey>> {
    if !path.exists() {
        return Ok(None);
    }
    Ok(Some(load_or_create_key(path)?.verifying_key()))
}

/// A public key given from outside (`--trusted-key`): Ed25519, PEM
/// (`-----BEGIN PUBLIC KEY-----`), as `audit checkpoint` prints it.
pub(crate) fn read_trusted_key(path: &Path) -> Result<VerifyingKey> {
    let pem = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the trusted key {}", path.display()))?;
    if pem.contains("PRIVATE KEY") {
        bail!(
            "{} holds a private key: give the public key instead (the `public_key` that `privops audit checkpoint` prints)",
            path.display()
        );
    }
    VerifyingKey::from_public_key_pem(&pem).map_err(|e| {
        anyhow::anyhow!(
            "{} is not an Ed25519 public key in PEM (-----BEGIN PUBLIC KEY-----): {e}",
            path.display()
        )
    })
}

pub fn sign(key: &SigningKey, at: &str, size: i64, head_hash: &str) -> Result<Checkpoint> {
    let signature = key.sign(Checkpoint::message(at, size, head_hash).as_bytes());
    Ok(Checkpoint {
        at: at.to_string(),
        size,
        head_hash: head_hash.to_string(),
        public_key: public_pem(key)?,
        signature: hex::encode(signature.to_bytes()),
    })
}

pub async fn store(tx: &mut Tx, checkpoint: &Checkpoint) -> Result<()> {
    sqlx::query("INSERT INTO audit_checkpoints (at, size, head_hash, public_key, signature) VALUES ($1, $2, $3, $4, $5)")
        .bind(&checkpoint.at)
        .bind(checkpoint.size)
        .bind(&checkpoint.head_hash)
        .bind(&checkpoint.public_key)
        .bind(&checkpoint.signature)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn list(store: &Store) -> Result<Vec<Checkpoint>> {
    Ok(sqlx::query_as(
        "SELECT at, size, head_hash, public_key, signature FROM audit_checkpoints ORDER BY id",
    )
    .fetch_all(&store.pool)
    .await?)
}

/// What checking a list of checkpoints found.
#[derive(Debug, Default)]
pub(crate) struct Checked {
    /// One line per checkpoint that does not hold.
    pub problems: Vec<String>,
    /// The positions (in the list) of the checkpoints that hold.
    pub verified: Vec<usize>,
}

impl Checked {
    /// The largest chain size a checkpoint that holds signs.
    pub(crate) fn signed_size(&self, checkpoints: &[Checkpoint]) -> Option<i64> {
        self.verified.iter().map(|&i| checkpoints[i].size).max()
    }

    /// The time of the newest checkpoint that holds.
    pub fn newest<'c>(&self, checkpoints: &'c [Checkpoint]) -> Option<&'c Checkpoint> {
        self.verified
            .iter()
            .map(|&i| &checkpoints[i])
            .max_by(|a, b| a.at.cmp(&b.at))
    }
}

/// Checks checkpoints against a chain given as `hash_at(seq)` and its size: each must be
/// signed (by `trusted` when given) and its entry must still have the signed hash.
pub(crate) fn check_all(
    checkpoints: &[Checkpoint],
    chain_size: i64,
    hash_at: impl Fn(i64) -> Option<String>,
    trusted: Option<&VerifyingKey>,
) -> Checked {
    let mut checked = Checked::default();
    for (i, checkpoint) in checkpoints.iter().enumerate() {
        let name = format!(
            "checkpoint {} ({} entries, {})",
            i + 1,
            checkpoint.size,
            checkpoint.at
        );
        let problem = if let Err(why) = checkpoint.check_signature(trusted) {
            Some(format!("{name}: {why}"))
        } else if checkpoint.size > chain_size {
            Some(format!(
                "{name}: the chain has only {chain_size} entries: its tail was truncated"
            ))
        } else {
            match hash_at(checkpoint.size) {
                Some(hash) if hash == checkpoint.head_hash => None,
                Some(_) => Some(format!(
                    "{name}: entry {} no longer has the signed hash: the chain was rewritten",
                    checkpoint.size
                )),
                None if checkpoint.size == 0 => None,
                None => Some(format!(
                    "{name}: entry {} is not in this chain",
                    checkpoint.size
                )),
            }
        };
        match problem {
            Some(problem) => checked.problems.push(problem),
            None => checked.verified.push(i),
        }
    }
    checked
}

/// The store's checkpoints, each checked against the store's chain of `chain_size`
/// entries (and against `trusted` when given).
pub(crate) async fn check_in_store(
    store: &Store,
    chain_size: i64,
    trusted: Option<&VerifyingKey>,
) -> Result<(Vec<Checkpoint>, Checked)> {
    let checkpoints = list(store).await?;
    let mut hashes = std::collections::BTreeMap::new();
    for c in &checkpoints {
        if let Some(hash) = hash_of(store, c.size).await? {
            hashes.insert(c.size, hash);
        }
    }
    let checked = check_all(
        &checkpoints,
        chain_size,
        |seq| hashes.get(&seq).cloned(),
        trusted,
    );
    Ok((checkpoints, checked))
}

/// The hash of entry `seq` in the store.
pub(crate) async fn hash_of(store: &Store, seq: i64) -> Result<Option<String>> {
    let row = sqlx::query("SELECT hash FROM audit_log WHERE seq = $1")
        .bind(seq)
        .fetch_optional(&store.pool)
        .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

pub(crate) fn ensure_nonempty(size: i64) -> Result<()> {
    if size == 0 {
        bail!("the audit trail is empty: nothing to checkpoint");
    }
    Ok(())
}
