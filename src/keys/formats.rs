//! Private-key formats: OpenSSH (`openssh-key-v1`, plain or bcrypt-encrypted), PKCS#1,
//! SEC1, PKCS#8 (plain or PBES2-encrypted) and legacy OpenSSL-encrypted PEM.

use super::pem::{self, Pem};
use super::{PublicKey, Secret, legacy, wire};
use crate::error::{Error, codes};
use pkcs8::der::Decode;
use zeroize::Zeroizing;

/// Key files larger than this are refused before any parsing (a 16384-bit RSA PEM is ~13 KiB).
const MAX_KEY_TEXT: usize = 64 * 1024;
/// The largest RSA modulus accepted, in bytes (8192 bits, the `rsa` crate's public-key limit).
const MAX_RSA_MODULUS_BYTES: usize = 1024;
/// Cost caps for the key-derivation functions of encrypted keys.
// Why `allow(unexpected_cfgs)`: `fuzzing` is the cfg cargo-fuzz sets; declaring it here keeps
// the workaround next to its only use instead of in the crate manifest.
#[allow(unexpected_cfgs)]
mod kdf_caps {
    /// bcrypt-pbkdf rounds above this are refused: ssh-keygen uses 16 (`-a` raises it); a crafted
    /// file could otherwise stall the caller for hours.
    #[cfg(not(fuzzing))]
    pub(super) const MAX_BCRYPT_ROUNDS: u32 = 4096;
    /// PBKDF2 iteration cap for encrypted PKCS#8 (OpenSSL's default is 2048).
    #[cfg(not(fuzzing))]
    pub(super) const MAX_PBKDF2_ITERATIONS: u32 = 10_000_000;
    /// scrypt memory cap (128·r·N bytes) for encrypted PKCS#8: 256 MiB.
    #[cfg(not(fuzzing))]
    pub(super) const MAX_SCRYPT_MEMORY: u64 = 256 * 1024 * 1024;
    /// scrypt total work cap (128·r·N·p bytes mixed): without it a crafted parallelization
    /// factor (up to 2^30) multiplies the time by as much.
    #[cfg(not(fuzzing))]
    pub(super) const MAX_SCRYPT_WORK: u64 = 1024 * 1024 * 1024;
    // Why lower caps under cargo-fuzz (`--cfg fuzzing`, never in a shipped build): the real caps
    // bound a crafted key to seconds of KDF work, but under AddressSanitizer a mutated rounds
    // field (1,025 bcrypt rounds took over 30 s) trips libFuzzer's per-input timeout and ends the
    // run. The refusal path is the same code, so the fuzzer still covers it.
    #[cfg(fuzzing)]
    pub(super) const MAX_BCRYPT_ROUNDS: u32 = 16;
    #[cfg(fuzzing)]
    pub(super) const MAX_PBKDF2_ITERATIONS: u32 = 20_000;
    #[cfg(fuzzing)]
    pub(super) const MAX_SCRYPT_MEMORY: u64 = 4 * 1024 * 1024;
    #[cfg(fuzzing)]
    pub(super) const MAX_SCRYPT_WORK: u64 = 16 * 1024 * 1024;
}
use kdf_caps::{MAX_BCRYPT_ROUNDS, MAX_PBKDF2_ITERATIONS, MAX_SCRYPT_MEMORY, MAX_SCRYPT_WORK};

const OID_RSA: pkcs8::ObjectIdentifier =
    pkcs8::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const OID_RSA_PSS: pkcs8::ObjectIdentifier =
    pkcs8::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
const OID_EC: pkcs8::ObjectIdentifier = pkcs8::ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const OID_P256: pkcs8::ObjectIdentifier =
    pkcs8::ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const OID_P384: pkcs8::ObjectIdentifier = pkcs8::ObjectIdentifier::new_unwrap("1.3.132.0.34");
const OID_P521: pkcs8::ObjectIdentifier = pkcs8::ObjectIdentifier::new_unwrap("1.3.132.0.35");
const OID_ED25519: pkcs8::ObjectIdentifier = pkcs8::ObjectIdentifier::new_unwrap("1.3.101.112");
const OID_DSA: pkcs8::ObjectIdentifier = pkcs8::ObjectIdentifier::new_unwrap("1.2.840.10040.4.1");

const PUBLIC_NOT_PRIVATE: &str =
    "this is a public key; pass the private key file (e.g. ~/.ssh/id_rsa, not id_rsa.pub)";
const NEED_PASSPHRASE: &str = "key is encrypted: pass the `passphrase` option";

fn bad_passphrase(format: &str) -> Error {
    Error::local(
        codes::BAD_PASSPHRASE,
        format!("wrong passphrase for the encrypted {format} private key"),
    )
}

fn need_passphrase() -> Error {
    Error::local(codes::BAD_PASSPHRASE, NEED_PASSPHRASE)
}

fn unsupported(message: impl Into<String>) -> Error {
    Error::local(codes::UNSUPPORTED_KEY, message)
}

/// True when the text looks like a one-line OpenSSH public key.
fn looks_like_public_line(text: &str) -> bool {
    let first = text.split_whitespace().next().unwrap_or_default();
    first.starts_with("ssh-")
        || first.starts_with("ecdsa-sha2-")
        || first.starts_with("sk-")
        || first.contains("-cert-v01@openssh.com")
}

/// Checks done before any PEM decoding: size, PuTTY, public keys.
fn precheck(text: &str) -> Result<&str, Error> {
    if text.len() > MAX_KEY_TEXT {
        return Err(Error::invalid_key(format!(
            "key text is {} bytes; a private key file is at most {MAX_KEY_TEXT} bytes",
            text.len()
        )));
    }
    let t = text.trim_start_matches('\u{feff}').trim();
    if t.is_empty() {
        return Err(Error::invalid_key("key text is empty"));
    }
    if t.starts_with("PuTTY-User-Key-File-") {
        return Err(unsupported(
            "PuTTY .ppk keys are not supported; convert the key with \
             `puttygen key.ppk -O private-openssh -o id_key` (or PuTTYgen's \
             Conversions → Export OpenSSH key) and pass that file",
        ));
    }
    if looks_like_public_line(t) || t.starts_with("---- BEGIN SSH2 PUBLIC KEY") {
        return Err(Error::invalid_key(PUBLIC_NOT_PRIVATE));
    }
    Ok(t)
}

/// True when `text` is a passphrase-protected private key.
pub fn is_encrypted(text: &str) -> bool {
    let Ok(t) = precheck(text) else {
        return false;
    };
    match pem::first_label(t) {
        Some("ENCRYPTED PRIVATE KEY") => true,
        Some("OPENSSH PRIVATE KEY") => pem::decode(t)
            .ok()
            .is_some_and(|p| openssh_header(&p.der).is_some_and(|h| h.cipher != "none")),
        Some(_) => pem::decode(t).is_ok_and(|p| legacy::is_encrypted(&p)),
        None => false,
    }
}

/// Parses any supported private-key text into its secret.
pub(super) fn parse(text: &str, passphrase: Option<&[u8]>) -> Result<Secret, Error> {
    let t = precheck(text)?;
    let block = pem::decode(t)?;
    let label = block.label.as_str();
    match label {
        "OPENSSH PRIVATE KEY" => openssh(&block.der, passphrase),
        "RSA PRIVATE KEY" | "EC PRIVATE KEY" if legacy::is_encrypted(&block) => {
            let pass = passphrase.ok_or_else(need_passphrase)?;
            let der = legacy::decrypt(&block, pass)?;
            let parsed = if label == "RSA PRIVATE KEY" {
                pkcs1(&der)
            } else {
                sec1(&der)
            };
            // Why: CBC padding only catches ~255/256 wrong passphrases; the rest decrypt to
            // garbage that fails to parse, which is still a wrong passphrase.
            parsed.map_err(|_| bad_passphrase("PEM"))
        }
        "RSA PRIVATE KEY" => pkcs1(&block.der),
        "EC PRIVATE KEY" => sec1(&block.der),
        "PRIVATE KEY" => pkcs8_plain(&block.der),
        "ENCRYPTED PRIVATE KEY" => pkcs8_encrypted(&block, passphrase),
        "DSA PRIVATE KEY" => Err(unsupported(
            "DSA keys are not supported (OpenSSH and CloudAPI deprecated them); create an \
             Ed25519, ECDSA or RSA key with ssh-keygen and add it to your account",
        )),
        "PUBLIC KEY" | "RSA PUBLIC KEY" | "EC PUBLIC KEY" | "SSH2 PUBLIC KEY" => {
            Err(Error::invalid_key(PUBLIC_NOT_PRIVATE))
        }
        "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE" => Err(Error::invalid_key(
            "this is an X.509 certificate, not a private key; pass the private key file",
        )),
        _ => Err(Error::invalid_key(format!(
            "unrecognised PEM block `-----BEGIN {}-----`; expected an OpenSSH, PKCS#1, \
             PKCS#8 or SEC1 private key",
            pem::printable_label(label)
        ))),
    }
}

/// The unencrypted header of an `openssh-key-v1` file.
struct OpensshHeader<'a> {
    cipher: &'a str,
    public_blob: &'a [u8],
}

fn openssh_header(bin: &[u8]) -> Option<OpensshHeader<'_>> {
    let rest = bin.strip_prefix(b"openssh-key-v1\0")?;
    let mut r = wire::Reader::new(rest);
    let cipher = r.str()?;
    let _kdf = r.string()?;
    let _kdf_options = r.string()?;
    let count = r.u32()?;
    if count != 1 {
        return None;
    }
    let public_blob = r.string()?;
    Some(OpensshHeader {
        cipher,
        public_blob,
    })
}

/// `BEGIN OPENSSH PRIVATE KEY` (unencrypted or bcrypt-encrypted).
fn openssh(bin: &[u8], passphrase: Option<&[u8]>) -> Result<Secret, Error> {
    let corrupted = || {
        Error::invalid_key("truncated or corrupted OpenSSH private key (BEGIN OPENSSH PRIVATE KEY)")
    };
    let header = openssh_header(bin).ok_or_else(corrupted)?;
    // Unsupported key types (DSA, FIDO sk-…) get their specific message from the public blob.
    PublicKey::from_blob(header.public_blob)?;
    let parsed = ssh_key::PrivateKey::from_bytes(bin).map_err(|e| match e {
        ssh_key::Error::AlgorithmUnknown => unsupported(format!(
            "this OpenSSH private key uses an unsupported cipher ({}); re-encrypt it with \
             `ssh-keygen -p -f <file>`",
            pem::printable_label(header.cipher)
        )),
        _ => corrupted(),
    })?;
    let key = if parsed.is_encrypted() {
        let pass = passphrase.ok_or_else(need_passphrase)?;
        if let ssh_key::Kdf::Bcrypt { rounds, .. } = parsed.kdf()
            && *rounds > MAX_BCRYPT_ROUNDS
        {
            return Err(unsupported(format!(
                "this OpenSSH key uses {rounds} bcrypt rounds (more than {MAX_BCRYPT_ROUNDS}); \
                 re-encrypt it with `ssh-keygen -p -a 64 -f <file>`"
            )));
        }
        parsed
            .decrypt(pass)
            .map_err(|_| bad_passphrase("OpenSSH"))?
    } else {
        parsed
    };
    match key.key_data() {
        ssh_key::private::KeypairData::Rsa(k) => {
            fn part(m: &ssh_key::Mpint) -> Result<&[u8], Error> {
                m.as_positive_bytes().ok_or_else(|| {
                    Error::invalid_key("corrupted OpenSSH RSA private key: a negative component")
                })
            }
            rsa_from_parts(
                part(k.public().n())?,
                part(k.public().e())?,
                part(k.private().d())?,
                part(k.private().p())?,
                part(k.private().q())?,
            )
            .map_err(|_| corrupted())
        }
        ssh_key::private::KeypairData::Ecdsa(k) => {
            let bytes = k.private_key_bytes();
            match k.curve() {
                ssh_key::EcdsaCurve::NistP256 => {
                    p256::ecdsa::SigningKey::from_slice(bytes).map(|s| Secret::P256(Box::new(s)))
                }
                ssh_key::EcdsaCurve::NistP384 => {
                    p384::ecdsa::SigningKey::from_slice(bytes).map(|s| Secret::P384(Box::new(s)))
                }
                ssh_key::EcdsaCurve::NistP521 => {
                    p521::ecdsa::SigningKey::from_slice(bytes).map(|s| Secret::P521(Box::new(s)))
                }
            }
            .map_err(|_| corrupted())
        }
        ssh_key::private::KeypairData::Ed25519(k) => {
            let seed = Zeroizing::new(k.private.to_bytes());
            Ok(Secret::Ed25519(Box::new(
                ed25519_dalek::SigningKey::from_bytes(&seed),
            )))
        }
        _ => Err(unsupported(
            "this OpenSSH key type is not supported; use Ed25519, ECDSA or RSA",
        )),
    }
}

/// RSA from big-endian components (magnitudes without sign bytes).
fn rsa_from_parts(n: &[u8], e: &[u8], d: &[u8], p: &[u8], q: &[u8]) -> Result<Secret, Error> {
    let bad = || Error::invalid_key("inconsistent RSA key components");
    if [n, e, d, p, q].iter().any(|c| c.is_empty()) {
        return Err(bad());
    }
    check_rsa_size(n.len())?;
    let bits = u32::try_from(n.len().saturating_mul(8)).map_err(|_| bad())?;
    let bits_e = u32::try_from(e.len().saturating_mul(8)).map_err(|_| bad())?;
    let uint = |bytes: &[u8], bits| rsa::BoxedUint::from_be_slice(bytes, bits).map_err(|_| bad());
    let key = rsa::PrivateKey::from_components(
        uint(n, bits)?,
        uint(e, bits_e)?,
        uint(d, bits)?,
        vec![uint(p, bits)?, uint(q, bits)?],
    )
    .map_err(|_| bad())?;
    Ok(Secret::Rsa(Box::new(key)))
}

fn check_rsa_size(modulus_len: usize) -> Result<(), Error> {
    if modulus_len > MAX_RSA_MODULUS_BYTES.saturating_add(1) {
        return Err(unsupported(
            "RSA keys larger than 8192 bits are not supported",
        ));
    }
    Ok(())
}

/// PKCS#1 `RSAPrivateKey` DER.
fn pkcs1(der: &[u8]) -> Result<Secret, Error> {
    rsa_pkcs1_der(der, "PKCS#1 RSA private key (BEGIN RSA PRIVATE KEY)")
}

fn rsa_pkcs1_der(der: &[u8], what: &str) -> Result<Secret, Error> {
    let corrupted = || Error::invalid_key(format!("truncated or corrupted {what}"));
    let parsed = rsa::pkcs1::RsaPrivateKeyRef::from_der(der).map_err(|_| corrupted())?;
    check_rsa_size(parsed.modulus.as_bytes().len())?;
    let key = rsa::PrivateKey::try_from(parsed).map_err(|_| corrupted())?;
    Ok(Secret::Rsa(Box::new(key)))
}

/// SEC1 `ECPrivateKey` DER (`BEGIN EC PRIVATE KEY`); the curve comes from its parameters.
fn sec1(der: &[u8]) -> Result<Secret, Error> {
    if let Ok(k) = p256::SecretKey::from_sec1_der(der) {
        return Ok(Secret::P256(Box::new(k.into())));
    }
    if let Ok(k) = p384::SecretKey::from_sec1_der(der) {
        return Ok(Secret::P384(Box::new(k.into())));
    }
    if let Ok(k) = p521::SecretKey::from_sec1_der(der) {
        return Ok(Secret::P521(Box::new(k.into())));
    }
    Err(Error::invalid_key(
        "truncated or corrupted SEC1 EC private key (BEGIN EC PRIVATE KEY), or a curve other \
         than P-256, P-384 and P-521",
    ))
}

/// Unencrypted PKCS#8 `PrivateKeyInfo` DER.
fn pkcs8_plain(der: &[u8]) -> Result<Secret, Error> {
    use pkcs8::DecodePrivateKey;
    let what = "PKCS#8 private key (BEGIN PRIVATE KEY)";
    let corrupted = || Error::invalid_key(format!("truncated or corrupted {what}"));
    let info = pkcs8::PrivateKeyInfoRef::from_der(der).map_err(|_| corrupted())?;
    let oid = info.algorithm.oid;
    if oid == OID_RSA {
        return rsa_pkcs1_der(info.private_key.as_bytes(), what);
    }
    if oid == OID_EC {
        let curve = info.algorithm.parameters_oid().map_err(|_| corrupted())?;
        return if curve == OID_P256 {
            p256::ecdsa::SigningKey::from_pkcs8_der(der).map(|k| Secret::P256(Box::new(k)))
        } else if curve == OID_P384 {
            p384::ecdsa::SigningKey::from_pkcs8_der(der).map(|k| Secret::P384(Box::new(k)))
        } else if curve == OID_P521 {
            p521::ecdsa::SigningKey::from_pkcs8_der(der).map(|k| Secret::P521(Box::new(k)))
        } else {
            return Err(unsupported(
                "only the P-256, P-384 and P-521 curves are supported for ECDSA keys",
            ));
        }
        .map_err(|_| corrupted());
    }
    if oid == OID_ED25519 {
        // The private key is an OCTET STRING holding the 32-byte seed: 04 20 <seed>.
        let inner = info.private_key.as_bytes();
        let seed: &[u8; 32] = inner
            .strip_prefix(&[0x04, 0x20])
            .and_then(|s| s.try_into().ok())
            .ok_or_else(corrupted)?;
        return Ok(Secret::Ed25519(Box::new(
            ed25519_dalek::SigningKey::from_bytes(seed),
        )));
    }
    if oid == OID_DSA {
        return Err(unsupported(
            "DSA keys are not supported (OpenSSH and CloudAPI deprecated them); create an \
             Ed25519, ECDSA or RSA key with ssh-keygen and add it to your account",
        ));
    }
    if oid == OID_RSA_PSS {
        return Err(unsupported(
            "RSA-PSS keys are not supported; CloudAPI verifies PKCS#1 v1.5 RSA signatures",
        ));
    }
    Err(unsupported(
        "this PKCS#8 key's algorithm is not supported; use Ed25519, ECDSA (P-256/P-384/P-521) \
         or RSA",
    ))
}

/// PBES2-encrypted PKCS#8 (`BEGIN ENCRYPTED PRIVATE KEY`).
fn pkcs8_encrypted(block: &Pem, passphrase: Option<&[u8]>) -> Result<Secret, Error> {
    use pkcs8::pkcs5::{EncryptionScheme, pbes2::Kdf};
    let info = pkcs8::EncryptedPrivateKeyInfoRef::from_der(&block.der).map_err(|_| {
        Error::invalid_key(
            "truncated or corrupted encrypted PKCS#8 private key (BEGIN ENCRYPTED PRIVATE KEY), \
             or an encryption scheme other than PBES2 (PBKDF2 or scrypt with AES-CBC)",
        )
    })?;
    match &info.encryption_algorithm {
        EncryptionScheme::Pbes2(params) => match &params.kdf {
            Kdf::Pbkdf2(p) if p.iteration_count > MAX_PBKDF2_ITERATIONS => {
                return Err(unsupported(format!(
                    "this encrypted PKCS#8 key uses {} PBKDF2 iterations (more than \
                     {MAX_PBKDF2_ITERATIONS})",
                    p.iteration_count
                )));
            }
            Kdf::Scrypt(s) => {
                let n = s.cost_parameter;
                let memory = 128u64
                    .saturating_mul(n)
                    .saturating_mul(u64::from(s.block_size));
                if n < 2
                    || !n.is_power_of_two()
                    || s.block_size == 0
                    || s.parallelization == 0
                    || memory > MAX_SCRYPT_MEMORY
                    || memory.saturating_mul(u64::from(s.parallelization)) > MAX_SCRYPT_WORK
                {
                    return Err(unsupported(
                        "this encrypted PKCS#8 key's scrypt parameters are invalid or too costly \
                         (more than 256 MiB of memory or 1 GiB of mixing); re-encrypt it with \
                         `ssh-keygen -p -f <file>`",
                    ));
                }
            }
            _ => {}
        },
        _ => {
            return Err(unsupported(
                "this encrypted PKCS#8 key uses legacy PBES1 encryption; re-encrypt it with \
                 `openssl pkcs8 -topk8 -v2 aes-256-cbc` or `ssh-keygen -p -f <file>`",
            ));
        }
    }
    let pass = passphrase.ok_or_else(need_passphrase)?;
    let doc = info.decrypt(pass).map_err(|_| bad_passphrase("PKCS#8"))?;
    // Why: a wrong passphrase passes the CBC padding check about 1 time in 256 and then
    // decrypts to garbage; that is still a wrong passphrase, not a corrupted file.
    pkcs8_plain(doc.as_bytes()).map_err(|e| {
        if e.code == codes::INVALID_KEY {
            bad_passphrase("PKCS#8")
        } else {
            e
        }
    })
}

#[cfg(test)]
mod tests {
    use pkcs8::der::Encode;
    use pkcs8::der::asn1::OctetStringRef;
    use pkcs8::pkcs5::{EncryptionScheme, pbes2};

    /// An encrypted PKCS#8 PEM with these scrypt parameters (the ciphertext is never reached).
    fn scrypt_key(log_n: u32, r: u16, p: u16) -> String {
        let kdf = pbes2::ScryptParams {
            salt: pbes2::Salt::try_from(&[7u8; 16][..]).expect("salt"),
            cost_parameter: 1 << log_n,
            block_size: r,
            parallelization: p,
            key_length: None,
        };
        let params = pbes2::Parameters {
            kdf: kdf.into(),
            encryption: pbes2::EncryptionScheme::Aes256Cbc { iv: [9u8; 16] },
        };
        let info = pkcs8::EncryptedPrivateKeyInfo {
            encryption_algorithm: EncryptionScheme::Pbes2(params),
            encrypted_data: OctetStringRef::new(&[0u8; 48]).expect("data"),
        };
        let der = info.to_der().expect("der");
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        format!(
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\n{b64}\n-----END ENCRYPTED PRIVATE KEY-----\n"
        )
    }

    #[test]
    fn scrypt_parallelization_is_capped_by_total_work() {
        // 1 MiB of memory is fine, but 1 MiB × 65,535 lanes is 64 GiB of mixing (minutes to hours).
        let e = crate::keys::parse_private_key(&scrypt_key(10, 8, 65535), Some(b"x"))
            .expect_err("a huge scrypt p must be refused");
        assert_eq!(e.code, crate::error::codes::UNSUPPORTED_KEY, "{e}");
        assert!(e.message.contains("too costly"), "{e}");
        // The same memory with p = 1 passes the cap and fails only on the (wrong) passphrase.
        let e = crate::keys::parse_private_key(&scrypt_key(10, 8, 1), Some(b"x"))
            .expect_err("garbage ciphertext");
        assert_ne!(e.code, crate::error::codes::UNSUPPORTED_KEY, "{e}");
    }
}
