//! The small slice of DER needed for ECDSA signatures: `SEQUENCE { INTEGER r, INTEGER s }`.

use crate::error::Error;

/// Encodes a DER length (short or long form).
fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.extend(u8::try_from(len).ok());
        return;
    }
    let bytes = len.to_be_bytes();
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    let significant = bytes.get(start..).unwrap_or_default();
    out.extend(u8::try_from(significant.len()).ok().map(|n| 0x80 | n));
    out.extend_from_slice(significant);
}

/// Encodes a non-negative big-endian magnitude as a DER INTEGER.
fn push_uint(out: &mut Vec<u8>, magnitude: &[u8]) {
    let start = magnitude
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(magnitude.len());
    let trimmed = magnitude.get(start..).unwrap_or_default();
    out.push(0x02);
    if trimmed.is_empty() {
        push_len(out, 1);
        out.push(0);
    } else if trimmed.first().is_some_and(|b| b & 0x80 != 0) {
        push_len(out, trimmed.len().saturating_add(1));
        out.push(0);
        out.extend_from_slice(trimmed);
    } else {
        push_len(out, trimmed.len());
        out.extend_from_slice(trimmed);
    }
}

/// DER `SEQUENCE { INTEGER r, INTEGER s }` from big-endian magnitudes (leading zeros allowed).
pub fn ecdsa_signature_der(r: &[u8], s: &[u8]) -> Vec<u8> {
    let mut body = Vec::with_capacity(r.len().saturating_add(s.len()).saturating_add(8));
    push_uint(&mut body, r);
    push_uint(&mut body, s);
    let mut out = Vec::with_capacity(body.len().saturating_add(4));
    out.push(0x30);
    push_len(&mut out, body.len());
    out.extend_from_slice(&body);
    out
}

/// Converts a WebCrypto (IEEE P1363 `r || s`) ECDSA signature to the DER form http-signature
/// verifies. Accepts the P-256, P-384 and P-521 sizes (64, 96, 132 bytes).
pub fn ecdsa_p1363_to_der(sig: &[u8]) -> Result<Vec<u8>, Error> {
    if !matches!(sig.len(), 64 | 96 | 132) {
        return Err(Error::invalid_argument(format!(
            "an IEEE P1363 ECDSA signature is 64, 96 or 132 bytes long (P-256, P-384, P-521), not {}",
            sig.len()
        )));
    }
    let (r, s) = sig.split_at(sig.len() / 2);
    if r.iter().all(|b| *b == 0) || s.iter().all(|b| *b == 0) {
        return Err(Error::invalid_argument(
            "invalid ECDSA signature: r or s is zero",
        ));
    }
    Ok(ecdsa_signature_der(r, s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p1363_to_der_pads_high_bit_and_strips_zeros() {
        let mut sig = vec![0u8; 64];
        sig[0] = 0x80; // r has the high bit set → 0x00 prefix, 33 bytes
        sig[31] = 1;
        sig[32] = 0; // s starts with zeros → stripped
        sig[33] = 0;
        sig[34] = 0x7f;
        sig[63] = 2;
        let der = ecdsa_p1363_to_der(&sig).unwrap();
        assert_eq!(der[0], 0x30);
        assert_eq!(usize::from(der[1]), der.len() - 2);
        assert_eq!(&der[2..5], &[0x02, 33, 0x00]);
        assert_eq!(der[5], 0x80);
        let s_at = 2 + 2 + 33;
        assert_eq!(&der[s_at..s_at + 3], &[0x02, 30, 0x7f]);
    }

    #[test]
    fn p521_uses_long_form_length() {
        let sig = vec![0xffu8; 132];
        let der = ecdsa_p1363_to_der(&sig).unwrap();
        // two INTEGERs of 67 bytes + 2 header bytes each = 138 > 127 → 0x81 long form
        assert_eq!(&der[..3], &[0x30, 0x81, 138]);
        assert_eq!(der.len(), 141);
    }

    #[test]
    fn rejects_bad_lengths_and_zero() {
        assert!(ecdsa_p1363_to_der(&[1u8; 63]).is_err());
        assert!(ecdsa_p1363_to_der(&[]).is_err());
        assert!(ecdsa_p1363_to_der(&[0u8; 64]).is_err());
    }
}
