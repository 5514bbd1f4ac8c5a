//! Lower-case hex text of digests made once per row (subject references, event keys,
//! audit hashes). `hex::encode` builds its string a character at a time through an
//! iterator, which cost more than the SHA-256 it printed: a batch check of 100,000
//! subjects spent longer writing their references as hex than hashing them.

/// `bytes` as lower-case hex, two digits a byte, in one allocation.
pub(crate) fn lower(bytes: &[u8]) -> String {
    let mut text = vec![0u8; bytes.len() * 2];
    hex::encode_to_slice(bytes, &mut text).expect("two hex digits for every byte");
    String::from_utf8(text).expect("hex digits are ASCII")
}

#[cfg(test)]
mod tests {
    #[test]
    fn writes_what_hex_encode_writes() {
        for bytes in [&b""[..], &[0x00, 0x0f, 0xf0, 0xff, 0x5a], &[0xab; 32]] {
            assert_eq!(super::lower(bytes), hex::encode(bytes));
        }
    }
}
