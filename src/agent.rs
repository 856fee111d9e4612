//! The ssh-agent protocol (draft-ietf-sshm-ssh-agent), sans-IO: message framing, listing
//! identities and signing. The JS host only moves bytes over `$SSH_AUTH_SOCK` (or the Windows
//! named pipe); every parser here is bounded and panic-free on arbitrary bytes.

// Why: `Error` is the shared error type fixed by the team contract (~130 bytes); boxing it would
// change every signature, and these functions are not on a hot path.
#![allow(clippy::result_large_err)]

use crate::error::{Error, codes};
use crate::keys::wire::{Reader, Writer};
use crate::keys::{KeyType, PublicKey, SignatureAlgorithm, ecdsa_signature_der};

/// `SSH_AGENT_FAILURE`.
pub const FAILURE: u8 = 5;
/// `SSH_AGENT_SUCCESS`.
pub const SUCCESS: u8 = 6;
/// `SSH_AGENTC_REQUEST_IDENTITIES`.
pub const REQUEST_IDENTITIES: u8 = 11;
/// `SSH_AGENT_IDENTITIES_ANSWER`.
pub const IDENTITIES_ANSWER: u8 = 12;
/// `SSH_AGENTC_SIGN_REQUEST`.
pub const SIGN_REQUEST: u8 = 13;
/// `SSH_AGENT_SIGN_RESPONSE`.
pub const SIGN_RESPONSE: u8 = 14;
/// `SSH_AGENT_EXTENSION_FAILURE`.
pub const EXTENSION_FAILURE: u8 = 28;
/// Sign-request flag asking for `rsa-sha2-256`.
pub const FLAG_RSA_SHA2_256: u32 = 0x02;
/// Sign-request flag asking for `rsa-sha2-512`.
pub const FLAG_RSA_SHA2_512: u32 = 0x04;
/// Largest message accepted, as OpenSSH's agent limits it (`AGENT_MAX_LEN`, 256 KiB).
pub const MAX_MESSAGE: usize = 256 * 1024;

fn agent_error(message: impl Into<String>) -> Error {
    Error::local(codes::AGENT_ERROR, message)
}

/// Frames one message: `uint32 length || byte type || payload`.
pub fn frame(msg_type: u8, payload: &[u8]) -> Vec<u8> {
    let len = u32::try_from(payload.len().saturating_add(1)).unwrap_or(u32::MAX);
    let mut out = Vec::with_capacity(payload.len().saturating_add(5));
    out.extend_from_slice(&len.to_be_bytes());
    out.push(msg_type);
    out.extend_from_slice(payload);
    out
}

/// One complete message read from the agent's byte stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message<'a> {
    /// The message type byte.
    pub msg_type: u8,
    /// The bytes after the type.
    pub payload: &'a [u8],
    /// How many bytes of the buffer this message used (length prefix included).
    pub consumed: usize,
}

/// Takes the first message from `buf`: `Ok(None)` while it is incomplete, an error for a
/// zero or oversized length (the connection should then be closed).
pub fn take_message(buf: &[u8]) -> Result<Option<Message<'_>>, Error> {
    let mut r = Reader::new(buf);
    let Some(len) = r.u32() else {
        return Ok(None);
    };
    let len = usize::try_from(len).map_err(|_| agent_error("agent message length overflow"))?;
    if len == 0 || len > MAX_MESSAGE {
        return Err(agent_error(format!(
            "the agent sent a message of {len} bytes (expected 1 to {MAX_MESSAGE}); is \
             SSH_AUTH_SOCK an ssh-agent socket?"
        )));
    }
    let Some(body) = r.bytes(len) else {
        return Ok(None);
    };
    let Some((msg_type, payload)) = body.split_first() else {
        return Ok(None);
    };
    Ok(Some(Message {
        msg_type: *msg_type,
        payload,
        consumed: len.saturating_add(4),
    }))
}

/// The framed `REQUEST_IDENTITIES` message.
pub fn request_identities() -> Vec<u8> {
    frame(REQUEST_IDENTITIES, &[])
}

/// One key the agent holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The RFC 4253 public-key blob, exactly as the agent sent it (sign requests echo it).
    pub blob: Vec<u8>,
    /// The key's comment (often the file it came from).
    pub comment: String,
    /// The parsed key, `None` for types this library cannot use (DSA, `sk-`, certificates…).
    pub public_key: Option<PublicKey>,
}

impl Identity {
    /// Ok when CloudAPI can verify what the agent signs with this key; otherwise why not.
    pub fn check_usable(&self) -> Result<(), Error> {
        match &self.public_key {
            Some(k) => agent_algorithm(k).map(|_| ()),
            None => Err(Error::local(
                codes::UNSUPPORTED_KEY,
                format!(
                    "agent key \"{}\" is of a type CloudAPI cannot verify",
                    printable(&self.comment)
                ),
            )),
        }
    }
}

/// A comment trimmed to printable characters for error messages.
fn printable(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(80).collect()
}

/// Parses the agent's answer to `REQUEST_IDENTITIES`.
pub fn parse_identities(msg: &Message<'_>) -> Result<Vec<Identity>, Error> {
    match msg.msg_type {
        IDENTITIES_ANSWER => {}
        FAILURE => return Err(agent_error("the ssh-agent refused to list its keys")),
        other => {
            return Err(agent_error(format!(
                "unexpected ssh-agent reply type {other} to a key listing"
            )));
        }
    }
    let corrupted = || agent_error("malformed key list from the ssh-agent");
    let mut r = Reader::new(msg.payload);
    let count = usize::try_from(r.u32().ok_or_else(corrupted)?).map_err(|_| corrupted())?;
    // Each identity takes at least 8 bytes (two empty strings): bounds the allocation.
    if count > msg.payload.len() / 8 {
        return Err(corrupted());
    }
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        let blob = r.string().ok_or_else(corrupted)?;
        let comment = r.string().ok_or_else(corrupted)?;
        out.push(Identity {
            blob: blob.to_vec(),
            comment: String::from_utf8_lossy(comment).into_owned(),
            public_key: PublicKey::from_blob(blob).ok(),
        });
    }
    if !r.is_empty() {
        return Err(corrupted());
    }
    Ok(out)
}

/// The algorithm CloudAPI will see for a signature the agent makes with `key`: RSA asks for
/// `rsa-sha256`; P-384 is refused (agents always hash it with SHA-384, CloudAPI rejects sha384).
pub fn agent_algorithm(key: &PublicKey) -> Result<SignatureAlgorithm, Error> {
    match key.key_type() {
        KeyType::EcdsaP384 => Err(p384_through_agent()),
        other => Ok(other.default_algorithm()),
    }
}

fn p384_through_agent() -> Error {
    Error::local(
        codes::UNSUPPORTED_KEY,
        "ECDSA P-384 keys are not supported by CloudAPI through an agent (the agent signs them \
         with SHA-384, which CloudAPI rejects); pass the private key file instead, which signs \
         P-384 with SHA-256",
    )
}

/// The framed `SIGN_REQUEST` for `data` with the agent key `identity`; `alg` picks the RSA
/// hash (flags `rsa-sha2-256`/`rsa-sha2-512`) and must suit the key type.
pub fn sign_request(
    identity: &Identity,
    data: &[u8],
    alg: SignatureAlgorithm,
) -> Result<Vec<u8>, Error> {
    let key = identity.public_key.as_ref().ok_or_else(|| {
        Error::local(
            codes::UNSUPPORTED_KEY,
            "this agent key's type cannot sign CloudAPI requests",
        )
    })?;
    let default = agent_algorithm(key)?;
    key.key_type().check_algorithm(alg)?;
    let flags = match alg {
        SignatureAlgorithm::RsaSha256 => FLAG_RSA_SHA2_256,
        SignatureAlgorithm::RsaSha512 => FLAG_RSA_SHA2_512,
        SignatureAlgorithm::RsaSha1 | SignatureAlgorithm::Ed25519Sha512 => 0,
        // Why: the agent hashes ECDSA by curve; only the curve's own hash can be asked for.
        SignatureAlgorithm::EcdsaSha256 | SignatureAlgorithm::EcdsaSha512 => {
            if alg != default {
                return Err(Error::invalid_argument(format!(
                    "an ssh-agent signs this {} key only with {}",
                    key.key_type().as_str(),
                    default.as_str()
                )));
            }
            0
        }
    };
    let mut w = Writer::new();
    w.string(&identity.blob).string(data).u32(flags);
    Ok(frame(SIGN_REQUEST, &w.into_bytes()))
}

/// Length in bytes of an RSA public key's modulus, from its blob.
fn rsa_modulus_len(key: &PublicKey) -> Option<usize> {
    let mut r = Reader::new(key.blob());
    r.string()?;
    r.mpint_positive()?;
    Some(r.mpint_positive()?.len())
}

/// Parses the agent's answer to a sign request into the algorithm actually used and the
/// signature bytes http-signature expects (RSA left-padded to the modulus size, ECDSA as DER,
/// Ed25519 raw).
pub fn parse_sign_response(
    msg: &Message<'_>,
    key: &PublicKey,
) -> Result<(SignatureAlgorithm, Vec<u8>), Error> {
    match msg.msg_type {
        SIGN_RESPONSE => {}
        FAILURE => {
            return Err(agent_error(
                "the ssh-agent refused to sign (the key may have been removed, the agent may \
                 be locked, or a confirmation was declined)",
            ));
        }
        other => {
            return Err(agent_error(format!(
                "unexpected ssh-agent reply type {other} to a sign request"
            )));
        }
    }
    let corrupted = || agent_error("malformed signature from the ssh-agent");
    let mut outer = Reader::new(msg.payload);
    let blob = outer.string().ok_or_else(corrupted)?;
    if !outer.is_empty() {
        return Err(corrupted());
    }
    let mut r = Reader::new(blob);
    let sig_type = r.str().ok_or_else(corrupted)?;
    let sig = r.string().ok_or_else(corrupted)?;
    if !r.is_empty() {
        return Err(corrupted());
    }
    let mismatch = || {
        agent_error(format!(
            "the ssh-agent answered with a {} signature for a {} key",
            printable(sig_type),
            key.key_type().as_str()
        ))
    };
    match key.key_type() {
        KeyType::Rsa => {
            let alg = match sig_type {
                "rsa-sha2-256" => SignatureAlgorithm::RsaSha256,
                "rsa-sha2-512" => SignatureAlgorithm::RsaSha512,
                "ssh-rsa" => SignatureAlgorithm::RsaSha1,
                _ => return Err(mismatch()),
            };
            let n = rsa_modulus_len(key).ok_or_else(corrupted)?;
            if sig.is_empty() || sig.len() > n {
                return Err(corrupted());
            }
            // Why: agents may drop leading zero bytes; PKCS#1 v1.5 verifiers want k bytes.
            let mut out = vec![0u8; n.saturating_sub(sig.len())];
            out.extend_from_slice(sig);
            Ok((alg, out))
        }
        KeyType::EcdsaP256 | KeyType::EcdsaP521 => {
            let (expected, alg, field) = if key.key_type() == KeyType::EcdsaP256 {
                ("ecdsa-sha2-nistp256", SignatureAlgorithm::EcdsaSha256, 32)
            } else {
                ("ecdsa-sha2-nistp521", SignatureAlgorithm::EcdsaSha512, 66)
            };
            if sig_type != expected {
                return Err(mismatch());
            }
            let mut pair = Reader::new(sig);
            let rv = pair.mpint_positive().ok_or_else(corrupted)?;
            let sv = pair.mpint_positive().ok_or_else(corrupted)?;
            if !pair.is_empty()
                || rv.is_empty()
                || sv.is_empty()
                || rv.len() > field
                || sv.len() > field
            {
                return Err(corrupted());
            }
            Ok((alg, ecdsa_signature_der(rv, sv)))
        }
        KeyType::EcdsaP384 => Err(p384_through_agent()),
        KeyType::Ed25519 => {
            if sig_type != "ssh-ed25519" {
                return Err(mismatch());
            }
            if sig.len() != 64 {
                return Err(corrupted());
            }
            Ok((SignatureAlgorithm::Ed25519Sha512, sig.to_vec()))
        }
    }
}

/// Picks the agent identity matching `fingerprint` (`MD5:…`, bare MD5 colon hex or
/// `SHA256:…`); `KeyNotFound` listing what the agent holds when none matches.
pub fn find_identity<'a>(
    identities: &'a [Identity],
    fingerprint: &str,
) -> Result<&'a Identity, Error> {
    let fp = fingerprint.trim();
    let md5 = fp
        .get(..4)
        .filter(|p| p.eq_ignore_ascii_case("md5:"))
        .and_then(|_| fp.get(4..))
        .unwrap_or(fp)
        .to_ascii_lowercase();
    let sha = fp.trim_end_matches('=');
    let found = identities.iter().find(|id| {
        id.public_key
            .as_ref()
            .is_some_and(|k| k.md5_fingerprint() == md5 || k.sha256_fingerprint() == sha)
    });
    found.ok_or_else(|| {
        let held: Vec<String> = identities
            .iter()
            .filter_map(|id| id.public_key.as_ref())
            .map(|k| format!("{} ({})", k.sha256_fingerprint(), k.key_type().as_str()))
            .collect();
        Error::local(
            codes::KEY_NOT_FOUND,
            if held.is_empty() {
                format!("no ssh-agent key matches {}: the agent holds no usable keys (add one with ssh-add)", printable(fp))
            } else {
                format!(
                    "no ssh-agent key matches {}; the agent holds {}",
                    printable(fp),
                    held.join(", ")
                )
            },
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ed25519_identity() -> Identity {
        let mut w = Writer::new();
        w.string(b"ssh-ed25519").string(&[9u8; 32]);
        let blob = w.into_bytes();
        Identity {
            public_key: Some(PublicKey::from_blob(&blob).unwrap()),
            blob,
            comment: "k".into(),
        }
    }

    #[test]
    fn framing_round_trip_and_partial_reads() {
        let f = frame(SIGN_RESPONSE, b"abc");
        assert_eq!(f, [0, 0, 0, 4, 14, b'a', b'b', b'c']);
        for cut in 0..f.len() {
            assert_eq!(take_message(&f[..cut]).unwrap(), None);
        }
        let m = take_message(&f).unwrap().unwrap();
        assert_eq!((m.msg_type, m.payload, m.consumed), (14, &b"abc"[..], 8));
        assert!(take_message(&[0, 0, 0, 0]).is_err());
        assert!(take_message(&[0xff, 0xff, 0xff, 0xff]).is_err());
        assert_eq!(request_identities(), [0, 0, 0, 1, 11]);
    }

    #[test]
    fn identities_parse_and_bounds() {
        let id = ed25519_identity();
        let mut w = Writer::new();
        w.u32(2).string(&id.blob).string(b"mine");
        w.string(b"\x00\x00\x00\x07ssh-dss").string(b"old");
        let payload = w.into_bytes();
        let msg = Message {
            msg_type: IDENTITIES_ANSWER,
            payload: &payload,
            consumed: 0,
        };
        let ids = parse_identities(&msg).unwrap();
        assert_eq!(ids.len(), 2);
        assert!(ids[0].public_key.is_some());
        assert!(ids[0].check_usable().is_ok());
        assert!(ids[1].public_key.is_none());
        assert_eq!(
            ids[1].check_usable().unwrap_err().code,
            codes::UNSUPPORTED_KEY
        );
        // a huge count with no data is rejected without allocating
        let huge = [0xff, 0xff, 0xff, 0xff];
        let msg = Message {
            msg_type: IDENTITIES_ANSWER,
            payload: &huge,
            consumed: 0,
        };
        assert!(parse_identities(&msg).is_err());
        let fail = Message {
            msg_type: FAILURE,
            payload: &[],
            consumed: 0,
        };
        assert_eq!(
            parse_identities(&fail).unwrap_err().code,
            codes::AGENT_ERROR
        );
    }

    #[test]
    fn sign_request_layout() {
        let id = ed25519_identity();
        let req = sign_request(&id, b"data", SignatureAlgorithm::Ed25519Sha512).unwrap();
        let m = take_message(&req).unwrap().unwrap();
        assert_eq!(m.msg_type, SIGN_REQUEST);
        let mut r = Reader::new(m.payload);
        assert_eq!(r.string().unwrap(), &id.blob[..]);
        assert_eq!(r.string().unwrap(), b"data");
        assert_eq!(r.u32(), Some(0));
        assert!(r.is_empty());
        assert!(sign_request(&id, b"d", SignatureAlgorithm::RsaSha256).is_err());
    }

    #[test]
    fn sign_response_checks_type_and_length() {
        let id = ed25519_identity();
        let key = id.public_key.clone().unwrap();
        let mut inner = Writer::new();
        inner.string(b"ssh-ed25519").string(&[1u8; 64]);
        let mut outer = Writer::new();
        outer.string(&inner.into_bytes());
        let payload = outer.into_bytes();
        let msg = Message {
            msg_type: SIGN_RESPONSE,
            payload: &payload,
            consumed: 0,
        };
        let (alg, sig) = parse_sign_response(&msg, &key).unwrap();
        assert_eq!(alg, SignatureAlgorithm::Ed25519Sha512);
        assert_eq!(sig, vec![1u8; 64]);
        let mut inner = Writer::new();
        inner.string(b"ssh-rsa").string(&[1u8; 64]);
        let mut outer = Writer::new();
        outer.string(&inner.into_bytes());
        let payload = outer.into_bytes();
        let msg = Message {
            msg_type: SIGN_RESPONSE,
            payload: &payload,
            consumed: 0,
        };
        assert_eq!(
            parse_sign_response(&msg, &key).unwrap_err().code,
            codes::AGENT_ERROR
        );
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        let key = ed25519_identity().public_key.unwrap();
        let mut state = 0x1234_5678_9abc_def0u64;
        for len in 0..300usize {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    (state & 0xff) as u8
                })
                .collect();
            let _ = take_message(&bytes);
            for t in [IDENTITIES_ANSWER, SIGN_RESPONSE, FAILURE, 99] {
                let msg = Message {
                    msg_type: t,
                    payload: &bytes,
                    consumed: 0,
                };
                let _ = parse_identities(&msg);
                let _ = parse_sign_response(&msg, &key);
            }
            let _ = PublicKey::from_blob(&bytes);
        }
    }
}
