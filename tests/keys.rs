//! Key parsing, fingerprints and signatures against the real tools: keys are generated at test
//! time with `ssh-keygen`/`openssl`, fingerprints compared with `ssh-keygen -l`, signatures
//! verified with `openssl`. Plus the draft-cavage RSA test vectors.

use base64::Engine;
use smartdc_wasm::error::codes;
use smartdc_wasm::keys::{
    KeyType, PrivateKey, PublicKey, SignatureAlgorithm, is_encrypted, parse_private_key,
};
use smartdc_wasm::signing::{
    KeyIdInput, authorization_header, build_key_id, parse_key_id_input, signing_string,
};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "smartdc-keys-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `ssh-keygen -q -t <t> [-b bits] -N <pass> -f <path> -C test [extra…]`.
fn keygen(path: &Path, t: &str, bits: Option<u32>, pass: &str, extra: &[&str]) {
    let mut c = Command::new("ssh-keygen");
    c.args(["-q", "-t", t, "-N", pass, "-C", "test"]);
    if let Some(b) = bits {
        c.args(["-b", &b.to_string()]);
    }
    c.args(extra).arg("-f").arg(path);
    run(&mut c);
}

/// Fingerprint of a `.pub` file by `ssh-keygen -l -E <hash>`: the `MD5:…`/`SHA256:…` field.
fn ssh_keygen_fp(pub_path: &Path, hash: &str) -> String {
    let out = run(Command::new("ssh-keygen")
        .args(["-l", "-E", hash, "-f"])
        .arg(pub_path));
    out.split_whitespace().nth(1).unwrap().to_string()
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap()
}

/// Checks both fingerprints of `key` against ssh-keygen's for `pub_path`.
fn assert_fingerprints(key: &PublicKey, pub_path: &Path) {
    let md5 = ssh_keygen_fp(pub_path, "md5");
    assert_eq!(format!("MD5:{}", key.md5_fingerprint()), md5);
    assert_eq!(key.sha256_fingerprint(), ssh_keygen_fp(pub_path, "sha256"));
}

/// Verifies `sig` over `data` with OpenSSL, using the public key from `pub_path` (an OpenSSH
/// `.pub` file) converted to SPKI PEM; also checks that a tampered signature is rejected.
fn openssl_verify(
    dir: &TempDir,
    pub_path: &Path,
    alg: SignatureAlgorithm,
    data: &[u8],
    sig: &[u8],
) {
    assert!(
        openssl_accepts(dir, pub_path, alg, data, sig),
        "openssl rejected the signature"
    );
    let mut bad = sig.to_vec();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    assert!(
        !openssl_accepts(dir, pub_path, alg, data, &bad),
        "openssl accepted a tampered signature"
    );
}

fn openssl_accepts(
    dir: &TempDir,
    pub_path: &Path,
    alg: SignatureAlgorithm,
    data: &[u8],
    sig: &[u8],
) -> bool {
    let data_path = dir.path("data.bin");
    let sig_path = dir.path("sig.bin");
    let spki_path = dir.path("spki.pem");
    std::fs::write(&data_path, data).unwrap();
    std::fs::write(&sig_path, sig).unwrap();
    let line = read(pub_path);
    let spki = if line.starts_with("ssh-ed25519 ") {
        // ssh-keygen 9.2 cannot export Ed25519 as PKCS8: wrap the raw key in an SPKI by hand.
        let blob = B64.decode(line.split_whitespace().nth(1).unwrap()).unwrap();
        let raw = &blob[blob.len() - 32..];
        let mut der = hex("302a300506032b6570032100");
        der.extend_from_slice(raw);
        format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            B64.encode(der)
        )
    } else {
        run(Command::new("ssh-keygen")
            .args(["-e", "-m", "PKCS8", "-f"])
            .arg(pub_path))
    };
    std::fs::write(&spki_path, spki).unwrap();
    let mut c = Command::new("openssl");
    if alg == SignatureAlgorithm::Ed25519Sha512 {
        c.args(["pkeyutl", "-verify", "-pubin", "-rawin", "-inkey"])
            .arg(&spki_path)
            .arg("-in")
            .arg(&data_path)
            .arg("-sigfile")
            .arg(&sig_path);
    } else {
        let digest = match alg {
            SignatureAlgorithm::RsaSha1 => "-sha1",
            SignatureAlgorithm::RsaSha512 | SignatureAlgorithm::EcdsaSha512 => "-sha512",
            _ => "-sha256",
        };
        c.args(["dgst", digest, "-verify"])
            .arg(&spki_path)
            .arg("-signature")
            .arg(&sig_path)
            .arg(&data_path);
    }
    let out = c.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    out.status.success()
        && (stdout.contains("Verified OK") || stdout.contains("Signature Verified Successfully"))
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// The signing string every CloudAPI request uses.
fn sample_signing_string() -> String {
    let headers = vec![(
        "x-date".to_string(),
        "Sun, 05 Jan 2014 21:31:40 GMT".to_string(),
    )];
    signing_string(
        "GET",
        "/acct/machines?limit=5",
        &headers,
        &["(request-target)".to_string(), "x-date".to_string()],
    )
    .unwrap()
}

// ---------------------------------------------------------------------------------------------
// draft-cavage-http-signatures, Appendix C (test key and expected signatures from the draft)

const CAVAGE_KEY: &str = "-----BEGIN RSA PRIVATE KEY-----
MIICXgIBAAKBgQDCFENGw33yGihy92pDjZQhl0C36rPJj+CvfSC8+q28hxA161QF
NUd13wuCTUcq0Qd2qsBe/2hFyc2DCJJg0h1L78+6Z4UMR7EOcpfdUE9Hf3m/hs+F
UR45uBJeDK1HSFHD8bHKD6kv8FPGfJTotc+2xjJwoYi+1hqp1fIekaxsyQIDAQAB
AoGBAJR8ZkCUvx5kzv+utdl7T5MnordT1TvoXXJGXK7ZZ+UuvMNUCdN2QPc4sBiA
QWvLw1cSKt5DsKZ8UETpYPy8pPYnnDEz2dDYiaew9+xEpubyeW2oH4Zx71wqBtOK
kqwrXa/pzdpiucRRjk6vE6YY7EBBs/g7uanVpGibOVAEsqH1AkEA7DkjVH28WDUg
f1nqvfn2Kj6CT7nIcE3jGJsZZ7zlZmBmHFDONMLUrXR/Zm3pR5m0tCmBqa5RK95u
412jt1dPIwJBANJT3v8pnkth48bQo/fKel6uEYyboRtA5/uHuHkZ6FQF7OUkGogc
mSJluOdc5t6hI1VsLn0QZEjQZMEOWr+wKSMCQQCC4kXJEsHAve77oP6HtG/IiEn7
kpyUXRNvFsDE0czpJJBvL/aRFUJxuRK91jhjC68sA7NsKMGg5OXb5I5Jj36xAkEA
gIT7aFOYBFwGgQAQkWNKLvySgKbAZRTeLBacpHMuQdl1DfdntvAyqpAZ0lY0RKmW
G6aFKaqQfOXKCyWoUiVknQJAXrlgySFci/2ueKlIE1QqIiLSZ8V8OlpFLRnb1pzI
7U1yQXnTAEFYM560yJlzUpOb1V4cScGd365tiSMvxLOvTA==
-----END RSA PRIVATE KEY-----
";

fn cavage_headers() -> Vec<(String, String)> {
    vec![
        ("Host".into(), "example.com".into()),
        ("Date".into(), "Sun, 05 Jan 2014 21:31:40 GMT".into()),
        ("Content-Type".into(), "application/json".into()),
        (
            "Digest".into(),
            "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=".into(),
        ),
        ("Content-Length".into(), "18".into()),
    ]
}

fn cavage_case(signed: &[&str], expected_string: &str, expected_sig: &str) {
    let key = parse_private_key(CAVAGE_KEY, None).unwrap();
    assert_eq!(key.key_type(), KeyType::Rsa);
    let signed: Vec<String> = signed.iter().map(|s| s.to_string()).collect();
    let s = signing_string(
        "POST",
        "/foo?param=value&pet=dog",
        &cavage_headers(),
        &signed,
    )
    .unwrap();
    assert_eq!(s, expected_string);
    let sig = key
        .sign(SignatureAlgorithm::RsaSha256, s.as_bytes())
        .unwrap();
    assert_eq!(B64.encode(&sig), expected_sig);
    let header = authorization_header("Test", SignatureAlgorithm::RsaSha256, &signed, &sig);
    assert_eq!(
        header,
        format!(
            "Signature keyId=\"Test\",algorithm=\"rsa-sha256\",headers=\"{}\",signature=\"{expected_sig}\"",
            signed.join(" ")
        )
    );
}

#[test]
fn cavage_default_test() {
    cavage_case(
        &["date"],
        "date: Sun, 05 Jan 2014 21:31:40 GMT",
        "SjWJWbWN7i0wzBvtPl8rbASWz5xQW6mcJmn+ibttBqtifLN7Sazz6m79cNfwwb8DMJ5cou1s7uEGKKCs+FLEEaDV5lp7q25WqS+lavg7T8hc0GppauB6hbgEKTwblDHYGEtbGmtdHgVCk9SuS13F0hZ8FD0k/5OxEPXe5WozsbM=",
    );
}

#[test]
fn cavage_basic_test() {
    cavage_case(
        &["(request-target)", "host", "date"],
        "(request-target): post /foo?param=value&pet=dog\nhost: example.com\ndate: Sun, 05 Jan 2014 21:31:40 GMT",
        "qdx+H7PHHDZgy4y/Ahn9Tny9V3GP6YgBPyUXMmoxWtLbHpUnXS2mg2+SbrQDMCJypxBLSPQR2aAjn7ndmw2iicw3HMbe8VfEdKFYRqzic+efkb3nndiv/x1xSHDJWeSWkx3ButlYSuBskLu6kd9Fswtemr3lgdDEmn04swr2Os0=",
    );
}

#[test]
fn cavage_all_headers_test() {
    cavage_case(
        &[
            "(request-target)",
            "host",
            "date",
            "content-type",
            "digest",
            "content-length",
        ],
        "(request-target): post /foo?param=value&pet=dog\nhost: example.com\ndate: Sun, 05 Jan 2014 21:31:40 GMT\ncontent-type: application/json\ndigest: SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=\ncontent-length: 18",
        "vSdrb+dS3EceC9bcwHSo4MlyKS59iFIrhgYkz8+oVLEEzmYZZvRs8rgOp+63LEM3v+MFHB32NfpB2bEKBIvB1q52LaEUHFv120V01IL+TAD48XaERZFukWgHoBTLMhYS2Gb51gWxpeIq8knRmPnYePbF5MOkR0Zkly4zKH7s1dE=",
    );
}

// ---------------------------------------------------------------------------------------------
// RSA in the three unencrypted formats, against ssh-keygen and openssl

/// Parses `path`, checks fingerprints against `pub_path` and that each algorithm's signature
/// verifies with OpenSSL. Returns the key.
fn check_key(
    dir: &TempDir,
    text: &str,
    pass: Option<&[u8]>,
    pub_path: &Path,
    algs: &[SignatureAlgorithm],
) -> PrivateKey {
    let key = parse_private_key(text, pass).unwrap_or_else(|e| panic!("parse failed: {e}"));
    let public = key.public_key();
    assert_fingerprints(&public, pub_path);
    let from_line = PublicKey::from_openssh(&read(pub_path)).unwrap();
    assert_eq!(from_line.blob(), public.blob());
    assert_eq!(from_line.md5_fingerprint(), public.md5_fingerprint());
    let data = sample_signing_string();
    for alg in algs {
        let sig = key.sign(*alg, data.as_bytes()).unwrap();
        openssl_verify(dir, pub_path, *alg, data.as_bytes(), &sig);
    }
    key
}

#[test]
fn rsa_unencrypted_formats_match_ssh_keygen_and_verify() {
    let dir = TempDir::new("rsa");
    let base = dir.path("id_rsa");
    keygen(&base, "rsa", Some(2048), "", &[]);
    let pub_path = dir.path("id_rsa.pub");
    let algs = [
        SignatureAlgorithm::RsaSha256,
        SignatureAlgorithm::RsaSha512,
        SignatureAlgorithm::RsaSha1,
    ];
    let openssh = read(&base);
    assert!(openssh.starts_with("-----BEGIN OPENSSH PRIVATE KEY-----"));
    let k1 = check_key(&dir, &openssh, None, &pub_path, &algs);
    assert_eq!(k1.default_algorithm(), SignatureAlgorithm::RsaSha256);
    for (fmt, label) in [("PEM", "RSA PRIVATE KEY"), ("PKCS8", "PRIVATE KEY")] {
        let copy = dir.path(&format!("id_rsa_{fmt}"));
        std::fs::copy(&base, &copy).unwrap();
        run(Command::new("ssh-keygen")
            .args(["-q", "-p", "-P", "", "-N", "", "-m", fmt, "-f"])
            .arg(&copy));
        let text = read(&copy);
        assert!(
            text.starts_with(&format!("-----BEGIN {label}-----")),
            "{text:.40}"
        );
        let k = check_key(&dir, &text, None, &pub_path, &algs[..1]);
        // the same key in every format: identical signatures (PKCS#1 v1.5 is deterministic)
        let data = b"same";
        assert_eq!(
            k.sign(SignatureAlgorithm::RsaSha256, data).unwrap(),
            k1.sign(SignatureAlgorithm::RsaSha256, data).unwrap()
        );
        assert_eq!(&k.to_pkcs8_der()[..], &k1.to_pkcs8_der()[..]);
    }
}

#[test]
fn pkcs8_export_is_what_openssl_reads() {
    let dir = TempDir::new("p8");
    let base = dir.path("id_rsa");
    keygen(&base, "rsa", Some(2048), "", &[]);
    let key = parse_private_key(&read(&base), None).unwrap();
    let der_path = dir.path("k.der");
    std::fs::write(&der_path, &key.to_pkcs8_der()[..]).unwrap();
    let pub_pem = run(Command::new("openssl")
        .args(["pkey", "-inform", "DER", "-pubout", "-in"])
        .arg(&der_path));
    let expected = run(Command::new("ssh-keygen")
        .args(["-e", "-m", "PKCS8", "-f"])
        .arg(dir.path("id_rsa.pub")));
    assert_eq!(pub_pem.trim(), expected.trim());
    let p = key.webcrypto_params(SignatureAlgorithm::RsaSha256);
    assert_eq!(p.name, "RSASSA-PKCS1-v1_5");
    assert_eq!(p.hash, Some("SHA-256"));
    assert!(!p.p1363_output);
}

#[test]
fn key_id_from_fingerprints() {
    let dir = TempDir::new("kid");
    let base = dir.path("id_rsa");
    keygen(&base, "rsa", Some(2048), "", &[]);
    let pub_path = dir.path("id_rsa.pub");
    let key = parse_private_key(&read(&base), None).unwrap();
    let public = key.public_key();
    let md5 = ssh_keygen_fp(&pub_path, "md5");
    let md5_bare = md5.trim_start_matches("MD5:").to_string();
    let sha = ssh_keygen_fp(&pub_path, "sha256");
    for input in [md5.as_str(), md5_bare.as_str(), sha.as_str()] {
        let parsed = parse_key_id_input(input);
        assert_eq!(
            build_key_id("acct", None, &parsed, Some(&public)).unwrap(),
            format!("/acct/keys/{md5_bare}")
        );
        assert_eq!(
            build_key_id("acct", Some("sub"), &parsed, Some(&public)).unwrap(),
            format!("/acct/users/sub/keys/{md5_bare}")
        );
    }
    // a fingerprint of another key: KeyNotFound naming both
    let other = dir.path("other");
    keygen(&other, "ed25519", None, "", &[]);
    let other_sha = ssh_keygen_fp(&dir.path("other.pub"), "sha256");
    let e = build_key_id("acct", None, &parse_key_id_input(&other_sha), Some(&public)).unwrap_err();
    assert_eq!(e.code, codes::KEY_NOT_FOUND);
    assert!(e.message.contains(&other_sha), "{}", e.message);
    assert!(e.message.contains(&sha), "{}", e.message);
    let other_md5 = ssh_keygen_fp(&dir.path("other.pub"), "md5");
    let e = build_key_id("acct", None, &parse_key_id_input(&other_md5), Some(&public)).unwrap_err();
    assert_eq!(e.code, codes::KEY_NOT_FOUND);
    assert!(e.message.contains(&md5_bare), "{}", e.message);
    // names and paths pass through
    assert_eq!(
        build_key_id(
            "acct",
            None,
            &KeyIdInput::Name("work".into()),
            Some(&public)
        )
        .unwrap(),
        "/acct/keys/work"
    );
}

// ---------------------------------------------------------------------------------------------
// Bad input

#[test]
fn public_key_passed_as_private() {
    let dir = TempDir::new("pub");
    let base = dir.path("id_rsa");
    keygen(&base, "rsa", Some(2048), "", &[]);
    let spki = run(Command::new("ssh-keygen")
        .args(["-e", "-m", "PKCS8", "-f"])
        .arg(dir.path("id_rsa.pub")));
    for text in [read(&dir.path("id_rsa.pub")), spki] {
        let e = parse_private_key(&text, None).unwrap_err();
        assert_eq!(e.code, codes::INVALID_KEY);
        assert_eq!(
            e.message,
            "this is a public key; pass the private key file (e.g. ~/.ssh/id_rsa, not id_rsa.pub)"
        );
    }
}

/// Base64 runs of 16+ characters from the key body must not appear in an error message.
fn assert_no_key_bytes(text: &str, message: &str) {
    for line in text
        .lines()
        .filter(|l| !l.starts_with("-----") && l.len() >= 16)
    {
        for chunk in line.as_bytes().chunks(16) {
            let chunk = std::str::from_utf8(chunk).unwrap();
            if chunk.len() == 16 {
                assert!(!message.contains(chunk), "error leaks key text: {message}");
            }
        }
    }
}

#[test]
fn truncated_and_garbage_keys_name_the_format() {
    let dir = TempDir::new("bad");
    let base = dir.path("id_rsa");
    keygen(&base, "rsa", Some(2048), "", &[]);
    let openssh = read(&base);
    let pkcs1 = {
        let copy = dir.path("pem");
        std::fs::copy(&base, &copy).unwrap();
        run(Command::new("ssh-keygen")
            .args(["-q", "-p", "-P", "", "-N", "", "-m", "PEM", "-f"])
            .arg(&copy));
        read(&copy)
    };
    for (text, needle) in [(&openssh, "OpenSSH"), (&pkcs1, "RSA PRIVATE KEY")] {
        // cut in the middle of the body, keeping a valid END line
        let lines: Vec<&str> = text.lines().collect();
        let mut cut: Vec<&str> = lines[..lines.len() / 2].to_vec();
        cut.push(lines[lines.len() - 1]);
        let truncated = cut.join("\n");
        let e = parse_private_key(&truncated, None).unwrap_err();
        assert_eq!(e.code, codes::INVALID_KEY, "{e}");
        assert!(e.message.contains(needle), "{}", e.message);
        assert_no_key_bytes(text, &e.message);
        // no END line at all
        let e = parse_private_key(&text[..text.len() / 2], None).unwrap_err();
        assert_eq!(e.code, codes::INVALID_KEY);
        assert!(e.message.contains("truncated"), "{}", e.message);
        assert_no_key_bytes(text, &e.message);
        assert_no_key_bytes(text, &format!("{e:?}"));
    }
    for garbage in [
        "",
        "   ",
        "hello world",
        "-----BEGIN FOO-----\nAAAA\n-----END FOO-----",
    ] {
        let e = parse_private_key(garbage, None).unwrap_err();
        assert_eq!(e.code, codes::INVALID_KEY, "{garbage:?}");
    }
}

#[test]
fn debug_shows_type_and_fingerprint_only() {
    let key = parse_private_key(CAVAGE_KEY, None).unwrap();
    let dbg = format!("{key:?}");
    assert!(
        dbg.starts_with("PrivateKey { type: \"rsa\", md5: \""),
        "{dbg}"
    );
    assert!(dbg.contains(&key.public_key().md5_fingerprint()));
    assert_no_key_bytes(CAVAGE_KEY, &dbg);
    assert!(!is_encrypted(CAVAGE_KEY));
}

// ---------------------------------------------------------------------------------------------
// The format matrix: every key type × every format it exists in

/// One key type of the matrix.
struct Kind {
    name: &'static str,
    ssh_type: &'static str,
    bits: Option<u32>,
    key_type: KeyType,
    default_alg: SignatureAlgorithm,
}

const KINDS: [Kind; 5] = [
    Kind {
        name: "rsa2048",
        ssh_type: "rsa",
        bits: Some(2048),
        key_type: KeyType::Rsa,
        default_alg: SignatureAlgorithm::RsaSha256,
    },
    Kind {
        name: "p256",
        ssh_type: "ecdsa",
        bits: Some(256),
        key_type: KeyType::EcdsaP256,
        default_alg: SignatureAlgorithm::EcdsaSha256,
    },
    Kind {
        name: "p384",
        ssh_type: "ecdsa",
        bits: Some(384),
        key_type: KeyType::EcdsaP384,
        default_alg: SignatureAlgorithm::EcdsaSha256,
    },
    Kind {
        name: "p521",
        ssh_type: "ecdsa",
        bits: Some(521),
        key_type: KeyType::EcdsaP521,
        default_alg: SignatureAlgorithm::EcdsaSha512,
    },
    Kind {
        name: "ed25519",
        ssh_type: "ed25519",
        bits: None,
        key_type: KeyType::Ed25519,
        default_alg: SignatureAlgorithm::Ed25519Sha512,
    },
];

const PASS: &str = "correct horse";

/// Copies `src` to `name` and rewrites it with `ssh-keygen -p` (new passphrase and format).
fn convert(dir: &TempDir, src: &Path, name: &str, new_pass: &str, extra: &[&str]) -> String {
    let copy = dir.path(name);
    std::fs::copy(src, &copy).unwrap();
    run(Command::new("ssh-keygen")
        .args(["-q", "-p", "-P", "", "-N", new_pass])
        .args(extra)
        .arg("-f")
        .arg(&copy));
    read(&copy)
}

/// An Ed25519 key made by OpenSSL (ssh-keygen 9.2 cannot write Ed25519 PKCS#8): returns the
/// PKCS#8 PEM, its encrypted form, and writes the matching OpenSSH `.pub` line to `pub_path`.
fn openssl_ed25519(dir: &TempDir, pub_path: &Path) -> (String, String) {
    let pem_path = dir.path("ossl_ed25519.pem");
    run(Command::new("openssl")
        .args(["genpkey", "-algorithm", "ed25519", "-out"])
        .arg(&pem_path));
    let spki = Command::new("openssl")
        .args(["pkey", "-pubout", "-outform", "DER", "-in"])
        .arg(&pem_path)
        .output()
        .unwrap()
        .stdout;
    let raw = &spki[spki.len() - 32..];
    let mut blob = Vec::new();
    blob.extend_from_slice(&11u32.to_be_bytes());
    blob.extend_from_slice(b"ssh-ed25519");
    blob.extend_from_slice(&32u32.to_be_bytes());
    blob.extend_from_slice(raw);
    std::fs::write(
        pub_path,
        format!("ssh-ed25519 {} test\n", B64.encode(&blob)),
    )
    .unwrap();
    let enc = run(Command::new("openssl")
        .args(["pkcs8", "-topk8", "-v2", "aes-256-cbc", "-passout"])
        .arg(format!("pass:{PASS}"))
        .arg("-in")
        .arg(&pem_path));
    (read(&pem_path), enc)
}

/// Checks one (kind, format) cell: parse with the right passphrase, fingerprints, signature,
/// PKCS#8 export round trip; and, for encrypted keys, the missing/wrong passphrase errors.
fn check_cell(
    dir: &TempDir,
    kind: &Kind,
    format: &str,
    text: &str,
    encrypted: bool,
    pub_path: &Path,
) {
    let ctx = format!("{} {format}", kind.name);
    assert_eq!(is_encrypted(text), encrypted, "{ctx}: is_encrypted");
    let pass = encrypted.then_some(PASS.as_bytes());
    let key = parse_private_key(text, pass).unwrap_or_else(|e| panic!("{ctx}: {e}"));
    assert_eq!(key.key_type(), kind.key_type, "{ctx}");
    assert_eq!(key.default_algorithm(), kind.default_alg, "{ctx}");
    assert_fingerprints(&key.public_key(), pub_path);
    let data = sample_signing_string();
    let sig = key.sign(kind.default_alg, data.as_bytes()).unwrap();
    openssl_verify(dir, pub_path, kind.default_alg, data.as_bytes(), &sig);
    // the PKCS#8 export parses back to the same key
    let der = key.to_pkcs8_der();
    let pem = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        B64.encode(&der[..])
    );
    let again = parse_private_key(&pem, None).unwrap_or_else(|e| panic!("{ctx} re-import: {e}"));
    assert_eq!(again.public_key().blob(), key.public_key().blob(), "{ctx}");
    if encrypted {
        let e = parse_private_key(text, None).unwrap_err();
        assert_eq!(e.code, codes::BAD_PASSPHRASE, "{ctx}");
        assert_eq!(e.message, "key is encrypted: pass the `passphrase` option");
        let e = parse_private_key(text, Some(b"wrong passphrase")).unwrap_err();
        assert_eq!(e.code, codes::BAD_PASSPHRASE, "{ctx}: {e}");
        assert!(
            e.message.starts_with("wrong passphrase for "),
            "{ctx}: {}",
            e.message
        );
        assert!(!e.message.contains(PASS), "{ctx}");
        assert_no_key_bytes(text, &e.message);
    }
}

fn matrix_for(kind: &Kind) {
    let dir = TempDir::new(kind.name);
    let base = dir.path("id");
    keygen(&base, kind.ssh_type, kind.bits, "", &[]);
    let pub_path = dir.path("id.pub");
    let openssh = read(&base);
    check_cell(&dir, kind, "openssh", &openssh, false, &pub_path);
    let enc = convert(&dir, &base, "id_enc", PASS, &[]);
    check_cell(&dir, kind, "openssh encrypted", &enc, true, &pub_path);
    if kind.key_type == KeyType::Ed25519 {
        let ossl_pub = dir.path("ossl.pub");
        let (plain, enc) = openssl_ed25519(&dir, &ossl_pub);
        assert!(plain.starts_with("-----BEGIN PRIVATE KEY-----"));
        check_cell(&dir, kind, "pkcs8", &plain, false, &ossl_pub);
        assert!(enc.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
        check_cell(&dir, kind, "pkcs8 encrypted", &enc, true, &ossl_pub);
        return;
    }
    let p8 = convert(&dir, &base, "id_p8", "", &["-m", "PKCS8"]);
    assert!(p8.starts_with("-----BEGIN PRIVATE KEY-----"));
    check_cell(&dir, kind, "pkcs8", &p8, false, &pub_path);
    let p8e = convert(&dir, &base, "id_p8e", PASS, &["-m", "PKCS8"]);
    assert!(p8e.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    check_cell(&dir, kind, "pkcs8 encrypted", &p8e, true, &pub_path);
    let pem = convert(&dir, &base, "id_pem", "", &["-m", "PEM"]);
    let label = if kind.key_type == KeyType::Rsa {
        "RSA"
    } else {
        "EC"
    };
    assert!(pem.starts_with(&format!("-----BEGIN {label} PRIVATE KEY-----")));
    check_cell(&dir, kind, "pkcs1/sec1", &pem, false, &pub_path);
    let legacy = convert(&dir, &base, "id_pem_enc", PASS, &["-m", "PEM"]);
    assert!(legacy.contains("Proc-Type: 4,ENCRYPTED"), "{legacy:.120}");
    check_cell(&dir, kind, "legacy encrypted pem", &legacy, true, &pub_path);
}

#[test]
fn matrix_rsa2048() {
    matrix_for(&KINDS[0]);
}

#[test]
fn matrix_p256() {
    matrix_for(&KINDS[1]);
}

#[test]
fn matrix_p384() {
    matrix_for(&KINDS[2]);
}

#[test]
fn matrix_p521() {
    matrix_for(&KINDS[3]);
}

#[test]
fn matrix_ed25519() {
    matrix_for(&KINDS[4]);
}

#[test]
fn rsa4096_openssh_encrypted() {
    let kind = Kind {
        name: "rsa4096",
        ssh_type: "rsa",
        bits: Some(4096),
        key_type: KeyType::Rsa,
        default_alg: SignatureAlgorithm::RsaSha256,
    };
    let dir = TempDir::new(kind.name);
    let base = dir.path("id");
    keygen(&base, "rsa", Some(4096), PASS, &[]);
    check_cell(
        &dir,
        &kind,
        "openssh encrypted",
        &read(&base),
        true,
        &dir.path("id.pub"),
    );
}

#[test]
fn every_openssh_cipher() {
    let dir = TempDir::new("ciphers");
    let base = dir.path("id");
    keygen(&base, "ed25519", None, "", &[]);
    let ciphers = run(Command::new("ssh").args(["-Q", "cipher"]));
    let kind = &KINDS[4];
    let mut tested = 0;
    for cipher in ciphers.lines().map(str::trim).filter(|c| !c.is_empty()) {
        let text = convert(&dir, &base, &format!("id_{tested}"), PASS, &["-Z", cipher]);
        check_cell(&dir, kind, cipher, &text, true, &dir.path("id.pub"));
        tested += 1;
    }
    assert!(tested >= 9, "ssh -Q cipher listed only {tested} ciphers");
}

#[test]
fn openssl_legacy_and_pkcs8_variants() {
    let dir = TempDir::new("ossl");
    for kind in [&KINDS[0], &KINDS[1]] {
        let base = dir.path(kind.name);
        keygen(&base, kind.ssh_type, kind.bits, "", &[]);
        let pub_path = dir.path(&format!("{}.pub", kind.name));
        convert(
            &dir,
            &base,
            &format!("{}_pem", kind.name),
            "",
            &["-m", "PEM"],
        );
        let pem_path = dir.path(&format!("{}_pem", kind.name));
        let tool = if kind.key_type == KeyType::Rsa {
            "rsa"
        } else {
            "ec"
        };
        for cipher in ["-aes128", "-aes192", "-aes256", "-des3"] {
            let mut c = Command::new("openssl");
            c.args([tool, cipher, "-passout"])
                .arg(format!("pass:{PASS}"));
            if tool == "rsa" {
                c.arg("-traditional");
            }
            c.arg("-in").arg(&pem_path);
            let text = run(&mut c);
            assert!(text.contains("DEK-Info:"), "{cipher}: {text:.100}");
            check_cell(
                &dir,
                kind,
                &format!("openssl {tool} {cipher}"),
                &text,
                true,
                &pub_path,
            );
        }
        for args in [
            &["-v2", "aes-128-cbc"][..],
            &["-v2", "aes-256-cbc", "-v2prf", "hmacWithSHA512"][..],
            &["-scrypt"][..],
        ] {
            let text = run(Command::new("openssl")
                .args(["pkcs8", "-topk8"])
                .args(args)
                .arg("-passout")
                .arg(format!("pass:{PASS}"))
                .arg("-in")
                .arg(&pem_path));
            check_cell(
                &dir,
                kind,
                &format!("pkcs8 {args:?}"),
                &text,
                true,
                &pub_path,
            );
        }
    }
}

#[test]
fn non_default_ecdsa_and_rsa_algorithms_verify() {
    let dir = TempDir::new("algs");
    let base = dir.path("p256");
    keygen(&base, "ecdsa", Some(256), "", &[]);
    let key = parse_private_key(&read(&base), None).unwrap();
    let data = sample_signing_string();
    let sig = key
        .sign(SignatureAlgorithm::EcdsaSha512, data.as_bytes())
        .unwrap();
    openssl_verify(
        &dir,
        &dir.path("p256.pub"),
        SignatureAlgorithm::EcdsaSha512,
        data.as_bytes(),
        &sig,
    );
    let e = key.sign(SignatureAlgorithm::RsaSha256, b"x").unwrap_err();
    assert_eq!(e.code, codes::INVALID_ARGUMENT);
    assert!(e.message.contains("ecdsa-sha256"), "{}", e.message);
}

#[test]
fn webcrypto_params_per_type() {
    let dir = TempDir::new("wc");
    for (kind, curve) in KINDS
        .iter()
        .zip([None, Some("P-256"), Some("P-384"), Some("P-521"), None])
    {
        let base = dir.path(kind.name);
        keygen(&base, kind.ssh_type, kind.bits, "", &[]);
        let key = parse_private_key(&read(&base), None).unwrap();
        let p = key.webcrypto_params(key.default_algorithm());
        assert_eq!(p.named_curve, curve, "{}", kind.name);
        match kind.key_type {
            KeyType::Rsa => assert_eq!((p.name, p.hash), ("RSASSA-PKCS1-v1_5", Some("SHA-256"))),
            KeyType::Ed25519 => {
                assert_eq!((p.name, p.hash, p.p1363_output), ("Ed25519", None, false))
            }
            KeyType::EcdsaP521 => assert_eq!(
                (p.name, p.hash, p.p1363_output),
                ("ECDSA", Some("SHA-512"), true)
            ),
            _ => assert_eq!(
                (p.name, p.hash, p.p1363_output),
                ("ECDSA", Some("SHA-256"), true)
            ),
        }
        // the PKCS#8 export is readable by OpenSSL and is version 1 (no public key) for Ed25519
        let der_path = dir.path(&format!("{}.der", kind.name));
        std::fs::write(&der_path, &key.to_pkcs8_der()[..]).unwrap();
        let text = run(Command::new("openssl")
            .args(["pkey", "-inform", "DER", "-noout", "-text", "-in"])
            .arg(&der_path));
        assert!(!text.is_empty());
        if kind.key_type == KeyType::Ed25519 {
            assert_eq!(key.to_pkcs8_der().len(), 48);
        }
        // PKCS#8 version 0 (v1): Chromium's BoringSSL refuses v2 in importKey
        let der = key.to_pkcs8_der();
        let body = if der[1] & 0x80 != 0 {
            2 + usize::from(der[1] & 0x7f)
        } else {
            2
        };
        assert_eq!(&der[body..body + 3], &[0x02, 0x01, 0x00], "{}", kind.name);
    }
}

#[test]
fn ecdsa_p1363_conversion_verifies_with_openssl() {
    // sign DER with the library, take r||s out of it, convert back, verify with openssl
    let dir = TempDir::new("p1363");
    let base = dir.path("p384");
    keygen(&base, "ecdsa", Some(384), "", &[]);
    let key = parse_private_key(&read(&base), None).unwrap();
    let data = sample_signing_string();
    let der = key
        .sign(SignatureAlgorithm::EcdsaSha256, data.as_bytes())
        .unwrap();
    let p1363 = der_to_p1363(&der, 48);
    let back = smartdc_wasm::keys::ecdsa_p1363_to_der(&p1363).unwrap();
    assert_eq!(back, der);
    openssl_verify(
        &dir,
        &dir.path("p384.pub"),
        SignatureAlgorithm::EcdsaSha256,
        data.as_bytes(),
        &back,
    );
}

/// Test-side DER → P1363 (fixed-width r||s) for short-form DER lengths.
fn der_to_p1363(der: &[u8], width: usize) -> Vec<u8> {
    assert_eq!(der[0], 0x30);
    let mut i = 2;
    let mut out = Vec::new();
    for _ in 0..2 {
        assert_eq!(der[i], 0x02);
        let len = der[i + 1] as usize;
        let int = &der[i + 2..i + 2 + len];
        let int = if int.len() > width {
            &int[int.len() - width..]
        } else {
            int
        };
        out.extend(std::iter::repeat_n(0u8, width - int.len()));
        out.extend_from_slice(int);
        i += 2 + len;
    }
    out
}

#[test]
fn unsupported_key_types_say_what_to_do() {
    let dir = TempDir::new("unsup");
    let dsa = dir.path("dsa");
    keygen(&dsa, "dsa", None, "", &[]);
    let e = parse_private_key(&read(&dsa), None).unwrap_err();
    assert_eq!(e.code, codes::UNSUPPORTED_KEY, "{e}");
    assert!(e.message.contains("DSA"), "{}", e.message);
    let e = PublicKey::from_openssh(&read(&dir.path("dsa.pub"))).unwrap_err();
    assert_eq!(e.code, codes::UNSUPPORTED_KEY);
    let dsa_pem = convert(&dir, &dsa, "dsa_pem", "", &["-m", "PEM"]);
    let e = parse_private_key(&dsa_pem, None).unwrap_err();
    assert_eq!(e.code, codes::UNSUPPORTED_KEY, "{e}");
    let ppk =
        "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: x\nPublic-Lines: 2\nAAAA\n";
    let e = parse_private_key(ppk, None).unwrap_err();
    assert_eq!(e.code, codes::UNSUPPORTED_KEY);
    assert!(e.message.contains("puttygen"), "{}", e.message);
    // a FIDO key's public line and a hand-made OpenSSH private file with an sk- public key
    let sk_line = format!(
        "sk-ssh-ed25519@openssh.com {} x",
        B64.encode(ssh_string_concat(&[
            b"sk-ssh-ed25519@openssh.com",
            &[7u8; 32],
            b"ssh:"
        ]))
    );
    let e = PublicKey::from_openssh(&sk_line).unwrap_err();
    assert_eq!(e.code, codes::UNSUPPORTED_KEY);
    assert!(e.message.contains("FIDO"), "{}", e.message);
    let e = parse_private_key(&sk_line, None).unwrap_err();
    assert_eq!(e.code, codes::INVALID_KEY);
}

fn ssh_string_concat(parts: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for p in parts {
        out.extend_from_slice(&(p.len() as u32).to_be_bytes());
        out.extend_from_slice(p);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Pre-signed URLs: the query order must be JS `localeCompare`'s, checked against Node itself

/// Runs `script` with Node, passing `input` as JSON in argv[1]; returns stdout.
fn node(script: &str, input: &str) -> String {
    run(Command::new("node").args(["-e", script, input]))
}

/// A small deterministic PRNG (xorshift) for generated inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn locale_compare_matches_node() {
    let alphabet: Vec<char> = (0x20u8..0x7f).map(char::from).collect();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut keys: Vec<String> = [
        "algorithm",
        "expires",
        "keyId",
        "keyid",
        "method",
        "role",
        "role-tag",
        "role_tag",
        "signature",
        "Zeta",
        "alpha",
        "a10",
        "a9",
        "x y",
        "x.y",
        "xy",
        "key-Id",
        "KEYID",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for _ in 0..400 {
        let len = 1 + rng.below(6);
        let s: String = (0..len)
            .map(|_| {
                // bias towards letters of both cases and the separators people use
                match rng.below(4) {
                    0 => ['-', '_', '.', ' ', '~', '$'][rng.below(6)],
                    1 => ['a', 'A', 'b', 'B', 'k', 'K'][rng.below(6)],
                    _ => alphabet[rng.below(alphabet.len())],
                }
            })
            .collect();
        keys.push(s);
    }
    let json = serde_json::to_string(&keys).unwrap();
    let sorted_by_node: Vec<String> = serde_json::from_str(&node(
        "const a = JSON.parse(process.argv[1]); a.sort((x, y) => x.localeCompare(y) || (x < y ? -1 : x > y ? 1 : 0)); console.log(JSON.stringify(a));",
        &json,
    ))
    .unwrap();
    let mut ours = keys.clone();
    ours.sort_by(|a, b| smartdc_wasm::signing::locale_compare(a, b));
    assert_eq!(ours, sorted_by_node);
}

#[test]
fn presign_string_matches_the_servers_algorithm() {
    use smartdc_wasm::signing::{presign_string, presigned_target};
    let query: Vec<(String, String)> = vec![
        ("keyId".into(), "/acct/keys/aa:bb".into()),
        ("expires".into(), "1900000000".into()),
        ("algorithm".into(), "rsa-sha256".into()),
        ("method".into(), "GET,HEAD".into()),
        ("role-tag".into(), "ops team".into()),
        ("role".into(), "admin*(x)!'".into()),
        ("Zeta".into(), "é/ü".into()),
    ];
    let methods = vec!["HEAD".to_string(), "GET".to_string()];
    let ours = presign_string(&methods, "127.0.0.1:8080", "/acct/machines", &query);
    // CloudAPI's construction (cloudapi.md §1.6), run in Node
    let expected = node(
        r#"const {q: pairs, methods, host, path} = JSON.parse(process.argv[1]);
        const q = Object.fromEntries(pairs);
        const rfc3986 = (s) => encodeURIComponent(String(s)).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
        const qs = Object.keys(q).filter((k) => k !== "signature").sort((a, b) => a.localeCompare(b)).map((k) => rfc3986(k) + "=" + rfc3986(q[k])).join("&");
        process.stdout.write(methods.slice().sort().join(",") + "\n" + host + "\n" + path + "\n" + qs);"#,
        &serde_json::json!({
            "q": query,
            "methods": methods,
            "host": "127.0.0.1:8080",
            "path": "/acct/machines",
        })
        .to_string(),
    );
    assert_eq!(ours, expected);
    let key = parse_private_key(CAVAGE_KEY, None).unwrap();
    let sig = key
        .sign(SignatureAlgorithm::RsaSha256, ours.as_bytes())
        .unwrap();
    let target = presigned_target("/acct/machines", &query, &sig);
    let qs = ours.lines().nth(3).unwrap();
    assert!(
        target.starts_with(&format!("/acct/machines?{qs}&signature=")),
        "{target}"
    );
}

// ---------------------------------------------------------------------------------------------
// ssh-agent: a real OpenSSH agent started by the test, spoken to with the library's framing

#[cfg(unix)]
mod agent {
    use super::*;
    use smartdc_wasm::agent::{
        Identity, find_identity, parse_identities, parse_sign_response, request_identities,
        sign_request, take_message,
    };
    use std::io::{Read, Write};
    use std::os::unix::net::UnixStream;
    use std::process::Child;

    /// An `ssh-agent -D` on a socket in a temp dir, killed on drop.
    struct Agent {
        child: Child,
        sock: PathBuf,
    }

    impl Agent {
        fn start(dir: &TempDir) -> Agent {
            let sock = dir.path("agent.sock");
            let child = Command::new("ssh-agent")
                .arg("-D")
                .arg("-a")
                .arg(&sock)
                .stdout(std::process::Stdio::null())
                .spawn()
                .expect("ssh-agent");
            for _ in 0..100 {
                if sock.exists() {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Agent { child, sock }
        }
        fn add(&self, key: &Path) {
            run(Command::new("ssh-add")
                .env("SSH_AUTH_SOCK", &self.sock)
                .arg("-q")
                .arg(key));
        }
        /// Sends one request and reads one complete reply.
        fn call(&self, request: &[u8]) -> Vec<u8> {
            let mut s = UnixStream::connect(&self.sock).unwrap();
            s.write_all(request).unwrap();
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            loop {
                if let Some(m) = take_message(&buf).unwrap() {
                    let used = m.consumed;
                    buf.truncate(used);
                    return buf;
                }
                let n = s.read(&mut chunk).unwrap();
                assert!(n > 0, "agent closed the connection");
                buf.extend_from_slice(&chunk[..n]);
            }
        }
        fn identities(&self) -> Vec<Identity> {
            let reply = self.call(&request_identities());
            parse_identities(&take_message(&reply).unwrap().unwrap()).unwrap()
        }
    }

    impl Drop for Agent {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    #[test]
    fn real_agent_rsa_p256_ed25519_sign_and_p384_is_refused() {
        let dir = TempDir::new("agent");
        let agent = Agent::start(&dir);
        let kinds = [
            ("rsa", Some(2048)),
            ("p256", Some(256)),
            ("ed", None),
            ("p384", Some(384)),
        ];
        for (name, bits) in kinds {
            let t = match name {
                "rsa" => "rsa",
                "ed" => "ed25519",
                _ => "ecdsa",
            };
            keygen(&dir.path(name), t, bits, "", &[]);
            agent.add(&dir.path(name));
        }
        let ids = agent.identities();
        assert_eq!(ids.len(), 4);
        let data = sample_signing_string();
        for (name, expected_alg) in [
            ("rsa", SignatureAlgorithm::RsaSha256),
            ("p256", SignatureAlgorithm::EcdsaSha256),
            ("ed", SignatureAlgorithm::Ed25519Sha512),
        ] {
            let pub_path = dir.path(&format!("{name}.pub"));
            let sha = ssh_keygen_fp(&pub_path, "sha256");
            let md5 = ssh_keygen_fp(&pub_path, "md5");
            let id = find_identity(&ids, &sha).unwrap();
            assert_eq!(find_identity(&ids, &md5).unwrap(), id);
            let key = id.public_key.clone().unwrap();
            assert_fingerprints(&key, &pub_path);
            // the agent's signature verifies with openssl, under the algorithm we send
            let reply = agent.call(&sign_request(id, data.as_bytes(), expected_alg).unwrap());
            let (alg, sig) =
                parse_sign_response(&take_message(&reply).unwrap().unwrap(), &key).unwrap();
            assert_eq!(alg, expected_alg, "{name}");
            openssl_verify(&dir, &pub_path, alg, data.as_bytes(), &sig);
            if name == "rsa" {
                let reply = agent.call(
                    &sign_request(id, data.as_bytes(), SignatureAlgorithm::RsaSha512).unwrap(),
                );
                let (alg, sig) =
                    parse_sign_response(&take_message(&reply).unwrap().unwrap(), &key).unwrap();
                assert_eq!(alg, SignatureAlgorithm::RsaSha512);
                openssl_verify(&dir, &pub_path, alg, data.as_bytes(), &sig);
            }
        }
        let p384 = find_identity(&ids, &ssh_keygen_fp(&dir.path("p384.pub"), "sha256")).unwrap();
        let e = p384.check_usable().unwrap_err();
        assert_eq!(e.code, codes::UNSUPPORTED_KEY);
        assert!(
            e.message
                .contains("not supported by CloudAPI through an agent"),
            "{}",
            e.message
        );
        let e = sign_request(p384, b"x", SignatureAlgorithm::EcdsaSha256).unwrap_err();
        assert_eq!(e.code, codes::UNSUPPORTED_KEY);
        // an unknown fingerprint lists what the agent has
        let e =
            find_identity(&ids, "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").unwrap_err();
        assert_eq!(e.code, codes::KEY_NOT_FOUND);
        assert!(e.message.contains("ed25519"), "{}", e.message);
        // a key removed after listing: the agent refuses and we say so
        run(Command::new("ssh-add")
            .env("SSH_AUTH_SOCK", &agent.sock)
            .arg("-q")
            .arg("-d")
            .arg(dir.path("ed")));
        let ed = find_identity(&ids, &ssh_keygen_fp(&dir.path("ed.pub"), "sha256")).unwrap();
        let reply = agent.call(&sign_request(ed, b"x", SignatureAlgorithm::Ed25519Sha512).unwrap());
        let e = parse_sign_response(
            &take_message(&reply).unwrap().unwrap(),
            ed.public_key.as_ref().unwrap(),
        )
        .unwrap_err();
        assert_eq!(e.code, codes::AGENT_ERROR);
        assert!(e.message.contains("refused to sign"), "{}", e.message);
    }
}

// ---------------------------------------------------------------------------------------------
// Robustness: mutated key files never panic (a cheap native stand-in for the cargo-fuzz targets)

/// Re-armors `der` under `label` with optional RFC 1421 `headers`.
fn armor(label: &str, headers: &str, der: &[u8]) -> String {
    let body = B64.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{headers}{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

/// Splits a PEM text into (label, header block, DER).
fn unarmor(text: &str) -> (String, String, Vec<u8>) {
    let mut lines = text.lines();
    let label = lines
        .next()
        .unwrap()
        .trim_start_matches("-----BEGIN ")
        .trim_end_matches("-----")
        .to_string();
    let mut headers = String::new();
    let mut body = String::new();
    for line in lines {
        if line.starts_with("-----END") {
            break;
        }
        if line.contains(':') {
            headers.push_str(line);
            headers.push('\n');
        } else if line.is_empty() {
            headers.push('\n');
        } else {
            body.push_str(line);
        }
    }
    (label, headers, B64.decode(body).unwrap())
}

fn mutate(rng: &mut Rng, der: &[u8]) -> Vec<u8> {
    let mut d = der.to_vec();
    match rng.below(5) {
        0 => {
            let i = rng.below(d.len());
            d[i] ^= 1 << rng.below(8);
        }
        1 => {
            let i = rng.below(d.len());
            d[i] = [0x00, 0x01, 0x7f, 0x80, 0xff][rng.below(5)];
        }
        2 => d.truncate(rng.below(d.len())),
        3 => {
            // rewrite what may be a length field, SSH (u32) or DER (byte) style
            let i = rng.below(d.len().saturating_sub(4).max(1));
            let v = [0u32, 1, 0x7f, 0x80, 0xffff, 0x7fff_ffff, 0xffff_ffff][rng.below(7)];
            for (k, b) in v.to_be_bytes().iter().enumerate() {
                if let Some(x) = d.get_mut(i + k) {
                    *x = *b;
                }
            }
        }
        _ => {
            let i = rng.below(d.len());
            let n = 1 + rng.below(8);
            d.drain(i..(i + n).min(d.len()));
        }
    }
    d
}

#[test]
fn mutated_keys_never_panic() {
    let dir = TempDir::new("mut");
    let mut seeds: Vec<(String, bool, usize)> = Vec::new();
    for (name, t, bits) in [
        ("rsa", "rsa", Some(1024)),
        ("p256", "ecdsa", Some(256)),
        ("p521", "ecdsa", Some(521)),
        ("ed", "ed25519", None),
    ] {
        let base = dir.path(name);
        keygen(&base, t, bits, "", &[]);
        seeds.push((read(&base), false, 150));
        seeds.push((
            convert(&dir, &base, &format!("{name}_enc"), PASS, &["-a", "1"]),
            true,
            30,
        ));
        if t != "ed25519" {
            seeds.push((
                convert(&dir, &base, &format!("{name}_p8"), "", &["-m", "PKCS8"]),
                false,
                150,
            ));
            seeds.push((
                convert(&dir, &base, &format!("{name}_pem"), "", &["-m", "PEM"]),
                false,
                150,
            ));
            seeds.push((
                convert(&dir, &base, &format!("{name}_p8e"), PASS, &["-m", "PKCS8"]),
                true,
                30,
            ));
            seeds.push((
                convert(&dir, &base, &format!("{name}_leg"), PASS, &["-m", "PEM"]),
                true,
                60,
            ));
        }
    }
    let mut rng = Rng(0xdead_beef_cafe_f00d);
    let mut parsed_ok = 0;
    for (text, encrypted, rounds) in &seeds {
        let (label, headers, der) = unarmor(text);
        let pass = encrypted.then_some(PASS.as_bytes());
        for _ in 0..*rounds {
            let m = mutate(&mut rng, &der);
            let t = armor(&label, &headers, &m);
            // must return, never panic; a surviving mutation must still sign
            if let Ok(k) = parse_private_key(&t, pass) {
                parsed_ok += 1;
                let _ = k.sign(k.default_algorithm(), b"x");
                let _ = k.to_pkcs8_der();
            }
            let _ = is_encrypted(&t);
        }
        // raw text mutations too (headers, armor lines)
        for _ in 0..20 {
            let bytes = mutate(&mut rng, text.as_bytes());
            let _ = parse_private_key(&String::from_utf8_lossy(&bytes), pass);
        }
    }
    // some mutations land in padding/comment bytes and still parse: the loop really ran
    assert!(parsed_ok > 0);
}
