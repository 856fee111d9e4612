//! SSH keys for signing CloudAPI requests: parsing every private-key format users have
//! (OpenSSH, PKCS#1, PKCS#8, SEC1, encrypted variants), public keys in OpenSSH form, MD5 and
//! SHA256 fingerprints, signing with the wire encodings http-signature expects, and the PKCS#8
//! export used to import the key into WebCrypto.

// Why: `Error` is the shared error type fixed by the team contract (~130 bytes); boxing it would
// change every signature, and these functions are not on a hot path.
#![allow(clippy::result_large_err)]

mod der;
mod formats;
mod legacy;
mod pem;
pub mod wire;

use crate::error::{Error, codes};
use base64::Engine;
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};
use std::fmt;
use zeroize::Zeroizing;

pub use der::ecdsa_p1363_to_der;
pub(crate) use der::ecdsa_signature_der;

/// ECDSA over the digest `alg` names (SHA-256 or SHA-512), DER-encoded; `None` on failure.
/// A macro because p256/p384/p521 signing keys share no trait that names their DER type.
macro_rules! ecdsa_sign {
    ($key:expr, $der:ty, $alg:expr, $data:expr) => {{
        use p256::ecdsa::signature::hazmat::PrehashSigner;
        let sig: Option<$der> = if $alg == SignatureAlgorithm::EcdsaSha512 {
            $key.sign_prehash(&Sha512::digest($data)).ok()
        } else {
            $key.sign_prehash(&Sha256::digest($data)).ok()
        };
        sig.map(|s| s.as_bytes().to_vec())
    }};
}

/// The key types CloudAPI can verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// RSA (any size the `rsa` crate accepts, 1024–4096 bits).
    Rsa,
    /// ECDSA on NIST P-256.
    EcdsaP256,
    /// ECDSA on NIST P-384 (signed with SHA-256: CloudAPI rejects sha384).
    EcdsaP384,
    /// ECDSA on NIST P-521.
    EcdsaP521,
    /// Ed25519 (CloudAPI ≥ 9.18.0).
    Ed25519,
}

impl KeyType {
    /// Short name: `rsa`, `ecdsa-p256`, `ecdsa-p384`, `ecdsa-p521`, `ed25519`.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyType::Rsa => "rsa",
            KeyType::EcdsaP256 => "ecdsa-p256",
            KeyType::EcdsaP384 => "ecdsa-p384",
            KeyType::EcdsaP521 => "ecdsa-p521",
            KeyType::Ed25519 => "ed25519",
        }
    }

    /// The SSH algorithm name that starts the public-key blob (`ssh-rsa`, `ecdsa-sha2-nistp256`…).
    pub fn ssh_name(self) -> &'static str {
        match self {
            KeyType::Rsa => "ssh-rsa",
            KeyType::EcdsaP256 => "ecdsa-sha2-nistp256",
            KeyType::EcdsaP384 => "ecdsa-sha2-nistp384",
            KeyType::EcdsaP521 => "ecdsa-sha2-nistp521",
            KeyType::Ed25519 => "ssh-ed25519",
        }
    }

    /// The signature algorithm CloudAPI should be sent for this key type.
    pub fn default_algorithm(self) -> SignatureAlgorithm {
        match self {
            KeyType::Rsa => SignatureAlgorithm::RsaSha256,
            // Why: http-signature's hash whitelist has no sha384; P-384 signs SHA-256 digests.
            KeyType::EcdsaP256 | KeyType::EcdsaP384 => SignatureAlgorithm::EcdsaSha256,
            KeyType::EcdsaP521 => SignatureAlgorithm::EcdsaSha512,
            KeyType::Ed25519 => SignatureAlgorithm::Ed25519Sha512,
        }
    }

    /// Ok when this key type can produce `alg`; otherwise an error naming the right algorithm.
    pub fn check_algorithm(self, alg: SignatureAlgorithm) -> Result<(), Error> {
        let ok = match self {
            KeyType::Rsa => matches!(
                alg,
                SignatureAlgorithm::RsaSha1
                    | SignatureAlgorithm::RsaSha256
                    | SignatureAlgorithm::RsaSha512
            ),
            KeyType::EcdsaP256 | KeyType::EcdsaP384 | KeyType::EcdsaP521 => matches!(
                alg,
                SignatureAlgorithm::EcdsaSha256 | SignatureAlgorithm::EcdsaSha512
            ),
            KeyType::Ed25519 => alg == SignatureAlgorithm::Ed25519Sha512,
        };
        if ok {
            Ok(())
        } else {
            Err(Error::invalid_argument(format!(
                "algorithm {} cannot be used with a {} key; use {}",
                alg.as_str(),
                self.as_str(),
                self.default_algorithm().as_str()
            )))
        }
    }
}

/// http-signature algorithm names CloudAPI accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureAlgorithm {
    /// `rsa-sha1` (legacy; only when asked for).
    RsaSha1,
    /// `rsa-sha256` (the RSA default).
    RsaSha256,
    /// `rsa-sha512`.
    RsaSha512,
    /// `ecdsa-sha256` (P-256, and P-384 signing a SHA-256 digest).
    EcdsaSha256,
    /// `ecdsa-sha512` (P-521).
    EcdsaSha512,
    /// `ed25519-sha512` (raw 64-byte Ed25519 signature).
    Ed25519Sha512,
}

impl SignatureAlgorithm {
    /// The name sent in the `algorithm="…"` parameter.
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureAlgorithm::RsaSha1 => "rsa-sha1",
            SignatureAlgorithm::RsaSha256 => "rsa-sha256",
            SignatureAlgorithm::RsaSha512 => "rsa-sha512",
            SignatureAlgorithm::EcdsaSha256 => "ecdsa-sha256",
            SignatureAlgorithm::EcdsaSha512 => "ecdsa-sha512",
            SignatureAlgorithm::Ed25519Sha512 => "ed25519-sha512",
        }
    }

    /// Parses an algorithm name (case-insensitive), refusing names CloudAPI cannot verify.
    pub fn parse(s: &str) -> Result<Self, Error> {
        let lower = s.trim().to_ascii_lowercase();
        Ok(match lower.as_str() {
            "rsa-sha1" => SignatureAlgorithm::RsaSha1,
            "rsa-sha256" => SignatureAlgorithm::RsaSha256,
            "rsa-sha512" => SignatureAlgorithm::RsaSha512,
            "ecdsa-sha256" => SignatureAlgorithm::EcdsaSha256,
            "ecdsa-sha512" => SignatureAlgorithm::EcdsaSha512,
            "ed25519-sha512" => SignatureAlgorithm::Ed25519Sha512,
            "ecdsa-sha384" | "rsa-sha384" => {
                return Err(Error::local(
                    codes::UNSUPPORTED_KEY,
                    format!(
                        "{lower} is rejected by CloudAPI (its http-signature accepts only sha1, \
                         sha256 and sha512); P-384 keys sign with ecdsa-sha256"
                    ),
                ));
            }
            _ => {
                let shown: String = s.chars().take(40).collect();
                return Err(Error::invalid_argument(format!(
                    "unknown signature algorithm `{shown}`; expected one of rsa-sha256, \
                     rsa-sha512, rsa-sha1, ecdsa-sha256, ecdsa-sha512, ed25519-sha512"
                )));
            }
        })
    }

    /// The hash as WebCrypto names it (`SHA-256`…).
    pub fn webcrypto_hash(self) -> &'static str {
        match self {
            SignatureAlgorithm::RsaSha1 => "SHA-1",
            SignatureAlgorithm::RsaSha256 | SignatureAlgorithm::EcdsaSha256 => "SHA-256",
            SignatureAlgorithm::RsaSha512
            | SignatureAlgorithm::EcdsaSha512
            | SignatureAlgorithm::Ed25519Sha512 => "SHA-512",
        }
    }
}

impl fmt::Display for SignatureAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A public key: its type and RFC 4253 wire blob (what fingerprints are computed over).
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    key_type: KeyType,
    blob: Vec<u8>,
    comment: String,
}

impl PublicKey {
    /// Parses an OpenSSH one-line public key (`ssh-ed25519 AAAA… comment`).
    pub fn from_openssh(line: &str) -> Result<Self, Error> {
        let text = line.trim().trim_start_matches('\u{feff}');
        if text.contains("PRIVATE KEY-----") {
            return Err(Error::invalid_key(
                "this is a private key; pass the public key (the `.pub` file, one line \
                 starting with ssh-rsa, ssh-ed25519 or ecdsa-sha2-…)",
            ));
        }
        let mut parts = text.split_whitespace();
        let (Some(alg), Some(b64)) = (parts.next(), parts.next()) else {
            return Err(Error::invalid_key(
                "not an OpenSSH public key: expected one line like `ssh-ed25519 AAAA… comment`",
            ));
        };
        let comment = parts.collect::<Vec<_>>().join(" ");
        let blob = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|_| {
                Error::invalid_key("corrupted OpenSSH public key: the key data is not base64")
            })?;
        let mut key = Self::from_blob(&blob)?;
        if key.key_type.ssh_name() != alg {
            return Err(Error::invalid_key(format!(
                "corrupted OpenSSH public key: the line says {} but the key data is {}",
                pem::printable_label(alg),
                key.key_type.ssh_name()
            )));
        }
        key.comment = comment;
        Ok(key)
    }

    /// Parses an RFC 4253 public-key blob (as in `.pub` files and ssh-agent answers).
    pub fn from_blob(blob: &[u8]) -> Result<Self, Error> {
        let corrupted = || Error::invalid_key("truncated or corrupted SSH public key data");
        let mut r = wire::Reader::new(blob);
        let alg = r.str().ok_or_else(corrupted)?;
        let key_type = match alg {
            "ssh-rsa" => {
                let e = r.mpint_positive().ok_or_else(corrupted)?;
                let n = r.mpint_positive().ok_or_else(corrupted)?;
                if e.is_empty() || n.len() < 64 {
                    return Err(corrupted());
                }
                KeyType::Rsa
            }
            "ecdsa-sha2-nistp256" | "ecdsa-sha2-nistp384" | "ecdsa-sha2-nistp521" => {
                let curve = r.str().ok_or_else(corrupted)?;
                let point = r.string().ok_or_else(corrupted)?;
                let (kt, ok) = match alg {
                    "ecdsa-sha2-nistp256" => (
                        KeyType::EcdsaP256,
                        curve == "nistp256" && p256::PublicKey::from_sec1_bytes(point).is_ok(),
                    ),
                    "ecdsa-sha2-nistp384" => (
                        KeyType::EcdsaP384,
                        curve == "nistp384" && p384::PublicKey::from_sec1_bytes(point).is_ok(),
                    ),
                    _ => (
                        KeyType::EcdsaP521,
                        curve == "nistp521" && p521::PublicKey::from_sec1_bytes(point).is_ok(),
                    ),
                };
                if !ok {
                    return Err(corrupted());
                }
                kt
            }
            "ssh-ed25519" => {
                let point = r.string().ok_or_else(corrupted)?;
                if point.len() != 32 {
                    return Err(corrupted());
                }
                KeyType::Ed25519
            }
            other => return Err(unsupported_ssh_type(other)),
        };
        if !r.is_empty() {
            return Err(corrupted());
        }
        Ok(PublicKey {
            key_type,
            blob: blob.to_vec(),
            comment: String::new(),
        })
    }

    /// The key type.
    pub fn key_type(&self) -> KeyType {
        self.key_type
    }

    /// The RFC 4253 wire blob.
    pub fn blob(&self) -> &[u8] {
        &self.blob
    }

    /// The comment of the `.pub` line (empty when there was none).
    pub fn comment(&self) -> &str {
        &self.comment
    }

    /// MD5 fingerprint in colon hex, as `ssh-keygen -l -E md5` prints it (without `MD5:`).
    pub fn md5_fingerprint(&self) -> String {
        let digest = Md5::digest(&self.blob);
        digest
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(":")
    }

    /// SHA256 fingerprint as `ssh-keygen -l` prints it: `SHA256:` + unpadded base64.
    pub fn sha256_fingerprint(&self) -> String {
        let digest = Sha256::digest(&self.blob);
        format!(
            "SHA256:{}",
            base64::engine::general_purpose::STANDARD_NO_PAD.encode(digest)
        )
    }

    /// The OpenSSH one-line form (`ssh-rsa AAAA… comment`), as CloudAPI's `addKey` wants it.
    pub fn to_openssh(&self) -> String {
        let b64 = base64::engine::general_purpose::STANDARD.encode(&self.blob);
        if self.comment.is_empty() {
            format!("{} {b64}", self.key_type.ssh_name())
        } else {
            format!("{} {b64} {}", self.key_type.ssh_name(), self.comment)
        }
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("type", &self.key_type.as_str())
            .field("md5", &self.md5_fingerprint())
            .finish()
    }
}

/// The error for an SSH key type this library cannot use, saying what to do instead.
fn unsupported_ssh_type(alg: &str) -> Error {
    let shown = pem::printable_label(alg);
    let message = if alg == "ssh-dss" {
        "DSA keys are not supported (OpenSSH and CloudAPI deprecated them); create an Ed25519, \
         ECDSA or RSA key with ssh-keygen and add it to your account"
            .to_string()
    } else if alg.starts_with("sk-") {
        format!(
            "{shown} is a FIDO/U2F security-key type that cannot sign HTTP requests; use an \
             Ed25519, ECDSA or RSA key"
        )
    } else if alg.contains("-cert-") {
        format!("{shown} is an SSH certificate; pass the plain public key instead")
    } else {
        format!(
            "SSH key type {shown} is not supported; use Ed25519, ECDSA (P-256/P-384/P-521) or RSA"
        )
    };
    Error::local(codes::UNSUPPORTED_KEY, message)
}

/// The secret half of a key; each variant's type zeroizes itself on drop.
#[derive(Clone)]
enum Secret {
    Rsa(Box<rsa::PrivateKey>),
    P256(Box<p256::ecdsa::SigningKey>),
    P384(Box<p384::ecdsa::SigningKey>),
    P521(Box<p521::ecdsa::SigningKey>),
    Ed25519(Box<ed25519_dalek::SigningKey>),
}

/// A private key ready to sign. Zeroized on drop; `Debug` shows only its type and fingerprint.
#[derive(Clone)]
pub struct PrivateKey {
    secret: Secret,
    public: PublicKey,
}

// Why: every `Secret` variant wraps a RustCrypto key type that zeroizes itself on drop.
impl zeroize::ZeroizeOnDrop for PrivateKey {}

/// How to import and use this key with WebCrypto (`crypto.subtle`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebCryptoParams {
    /// Algorithm name for `importKey` and `sign`: `RSASSA-PKCS1-v1_5`, `ECDSA` or `Ed25519`.
    pub name: &'static str,
    /// Hash (`SHA-1`, `SHA-256`, `SHA-512`): RSA puts it in `importKey`, ECDSA in `sign`.
    pub hash: Option<&'static str>,
    /// ECDSA `namedCurve` for `importKey` (`P-256`, `P-384`, `P-521`).
    pub named_curve: Option<&'static str>,
    /// True when `sign` returns IEEE P1363 `r||s` that must go through [`ecdsa_p1363_to_der`].
    pub p1363_output: bool,
}

impl PrivateKey {
    fn new(secret: Secret) -> Self {
        let blob = public_blob(&secret);
        let key_type = match &secret {
            Secret::Rsa(_) => KeyType::Rsa,
            Secret::P256(_) => KeyType::EcdsaP256,
            Secret::P384(_) => KeyType::EcdsaP384,
            Secret::P521(_) => KeyType::EcdsaP521,
            Secret::Ed25519(_) => KeyType::Ed25519,
        };
        PrivateKey {
            secret,
            public: PublicKey {
                key_type,
                blob,
                comment: String::new(),
            },
        }
    }

    /// The key type.
    pub fn key_type(&self) -> KeyType {
        self.public.key_type
    }

    /// The public half (for fingerprints and keyIds).
    pub fn public_key(&self) -> PublicKey {
        self.public.clone()
    }

    /// The algorithm to send CloudAPI for this key (see [`KeyType::default_algorithm`]).
    pub fn default_algorithm(&self) -> SignatureAlgorithm {
        self.public.key_type.default_algorithm()
    }

    /// Signs `data` and returns the bytes http-signature expects (before base64): RSA raw
    /// PKCS#1 v1.5, ECDSA ASN.1 DER, Ed25519 the raw 64 bytes.
    pub fn sign(&self, alg: SignatureAlgorithm, data: &[u8]) -> Result<Vec<u8>, Error> {
        self.key_type().check_algorithm(alg)?;
        let failed = || {
            Error::invalid_key(format!(
                "signing with the {} key failed",
                self.key_type().as_str()
            ))
        };
        match &self.secret {
            Secret::Rsa(key) => {
                let result = match alg {
                    SignatureAlgorithm::RsaSha1 => {
                        key.sign(rsa::Pkcs1v15Sign::new::<Sha1>(), &Sha1::digest(data))
                    }
                    SignatureAlgorithm::RsaSha512 => {
                        key.sign(rsa::Pkcs1v15Sign::new::<Sha512>(), &Sha512::digest(data))
                    }
                    _ => key.sign(rsa::Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(data)),
                };
                result.map_err(|_| failed())
            }
            Secret::P256(key) => {
                ecdsa_sign!(key, p256::ecdsa::DerSignature, alg, data).ok_or_else(failed)
            }
            Secret::P384(key) => {
                ecdsa_sign!(key, p384::ecdsa::DerSignature, alg, data).ok_or_else(failed)
            }
            Secret::P521(key) => {
                ecdsa_sign!(key, p521::ecdsa::DerSignature, alg, data).ok_or_else(failed)
            }
            Secret::Ed25519(key) => {
                use ed25519_dalek::Signer;
                Ok(key.sign(data).to_bytes().to_vec())
            }
        }
    }

    /// The key as unencrypted PKCS#8 v1 DER, for WebCrypto `importKey("pkcs8", …)`.
    /// Empty only if encoding failed, which cannot happen for keys this module builds
    /// (WebCrypto would then refuse the import and callers fall back to [`PrivateKey::sign`]).
    pub fn to_pkcs8_der(&self) -> Zeroizing<Vec<u8>> {
        use pkcs8::EncodePrivateKey;
        let doc = match &self.secret {
            Secret::Rsa(key) => key.to_pkcs8_der(),
            Secret::P256(key) => key.to_pkcs8_der(),
            Secret::P384(key) => key.to_pkcs8_der(),
            Secret::P521(key) => key.to_pkcs8_der(),
            Secret::Ed25519(key) => return ed25519_pkcs8_v1(key),
        };
        match doc {
            Ok(doc) => Zeroizing::new(doc.as_bytes().to_vec()),
            Err(_) => Zeroizing::new(Vec::new()),
        }
    }

    /// The WebCrypto algorithm parameters for signing with `alg` (check it with
    /// [`KeyType::check_algorithm`] first; `sign` does).
    pub fn webcrypto_params(&self, alg: SignatureAlgorithm) -> WebCryptoParams {
        let curve = |c| WebCryptoParams {
            name: "ECDSA",
            hash: Some(alg.webcrypto_hash()),
            named_curve: Some(c),
            p1363_output: true,
        };
        match self.key_type() {
            KeyType::Rsa => WebCryptoParams {
                name: "RSASSA-PKCS1-v1_5",
                hash: Some(alg.webcrypto_hash()),
                named_curve: None,
                p1363_output: false,
            },
            KeyType::EcdsaP256 => curve("P-256"),
            KeyType::EcdsaP384 => curve("P-384"),
            KeyType::EcdsaP521 => curve("P-521"),
            KeyType::Ed25519 => WebCryptoParams {
                name: "Ed25519",
                hash: None,
                named_curve: None,
                p1363_output: false,
            },
        }
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("type", &self.key_type().as_str())
            .field("md5", &self.public.md5_fingerprint())
            .finish()
    }
}

/// PKCS#8 v1 (no public key) for Ed25519: BoringSSL, hence Chromium's WebCrypto, refuses v2.
fn ed25519_pkcs8_v1(key: &ed25519_dalek::SigningKey) -> Zeroizing<Vec<u8>> {
    // SEQUENCE { INTEGER 0, SEQUENCE { OID 1.3.101.112 }, OCTET STRING { OCTET STRING seed } }
    const PREFIX: [u8; 16] = [
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    let mut out = Zeroizing::new(Vec::with_capacity(48));
    out.extend_from_slice(&PREFIX);
    out.extend_from_slice(key.as_bytes());
    out
}

/// The RFC 4253 public-key blob of a secret key.
fn public_blob(secret: &Secret) -> Vec<u8> {
    use rsa::traits::PublicKeyParts;
    let mut w = wire::Writer::new();
    match secret {
        Secret::Rsa(key) => {
            w.string(b"ssh-rsa")
                .mpint(&key.e().to_be_bytes())
                .mpint(&key.n().as_ref().to_be_bytes());
        }
        Secret::P256(key) => {
            w.string(b"ecdsa-sha2-nistp256")
                .string(b"nistp256")
                .string(key.verifying_key().to_sec1_point(false).as_bytes());
        }
        Secret::P384(key) => {
            w.string(b"ecdsa-sha2-nistp384")
                .string(b"nistp384")
                .string(key.verifying_key().to_sec1_point(false).as_bytes());
        }
        Secret::P521(key) => {
            w.string(b"ecdsa-sha2-nistp521")
                .string(b"nistp521")
                .string(key.verifying_key().to_sec1_point(false).as_bytes());
        }
        Secret::Ed25519(key) => {
            w.string(b"ssh-ed25519")
                .string(key.verifying_key().as_bytes());
        }
    }
    w.into_bytes()
}

/// True when `text` is a passphrase-protected private key (any supported format).
pub fn is_encrypted(text: &str) -> bool {
    formats::is_encrypted(text)
}

/// Parses a private key in any supported format. `passphrase` is used only for encrypted keys.
pub fn parse_private_key(text: &str, passphrase: Option<&[u8]>) -> Result<PrivateKey, Error> {
    formats::parse(text, passphrase).map(PrivateKey::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algorithm_names_round_trip() {
        for alg in [
            SignatureAlgorithm::RsaSha1,
            SignatureAlgorithm::RsaSha256,
            SignatureAlgorithm::RsaSha512,
            SignatureAlgorithm::EcdsaSha256,
            SignatureAlgorithm::EcdsaSha512,
            SignatureAlgorithm::Ed25519Sha512,
        ] {
            assert_eq!(SignatureAlgorithm::parse(alg.as_str()).unwrap(), alg);
        }
        assert_eq!(
            SignatureAlgorithm::parse("RSA-SHA256").unwrap(),
            SignatureAlgorithm::RsaSha256
        );
        let e = SignatureAlgorithm::parse("ecdsa-sha384").unwrap_err();
        assert_eq!(e.code, codes::UNSUPPORTED_KEY);
        let e = SignatureAlgorithm::parse("hmac-sha256").unwrap_err();
        assert_eq!(e.code, codes::INVALID_ARGUMENT);
    }

    #[test]
    fn defaults_per_key_type() {
        assert_eq!(KeyType::Rsa.default_algorithm().as_str(), "rsa-sha256");
        assert_eq!(
            KeyType::EcdsaP256.default_algorithm().as_str(),
            "ecdsa-sha256"
        );
        assert_eq!(
            KeyType::EcdsaP384.default_algorithm().as_str(),
            "ecdsa-sha256"
        );
        assert_eq!(
            KeyType::EcdsaP521.default_algorithm().as_str(),
            "ecdsa-sha512"
        );
        assert_eq!(
            KeyType::Ed25519.default_algorithm().as_str(),
            "ed25519-sha512"
        );
        assert!(
            KeyType::Ed25519
                .check_algorithm(SignatureAlgorithm::RsaSha256)
                .is_err()
        );
        assert!(
            KeyType::Rsa
                .check_algorithm(SignatureAlgorithm::RsaSha1)
                .is_ok()
        );
    }

    #[test]
    fn public_key_parse_errors() {
        let e = PublicKey::from_openssh("ssh-rsa").unwrap_err();
        assert_eq!(e.code, codes::INVALID_KEY);
        let e = PublicKey::from_openssh("ssh-rsa !!!!").unwrap_err();
        assert!(e.message.contains("base64"));
        // "ssh-dss" blob → unsupported with advice
        let mut w = wire::Writer::new();
        w.string(b"ssh-dss").string(b"x");
        let line = format!(
            "ssh-dss {}",
            base64::engine::general_purpose::STANDARD.encode(w.into_bytes())
        );
        let e = PublicKey::from_openssh(&line).unwrap_err();
        assert_eq!(e.code, codes::UNSUPPORTED_KEY);
        assert!(e.message.contains("DSA"));
    }
}
