//! Legacy OpenSSL-encrypted PEM (`Proc-Type: 4,ENCRYPTED` + `DEK-Info: <cipher>,<iv>`), as
//! `ssh-keygen -m PEM` and `openssl rsa -aes256` write it: the key is derived with OpenSSL's
//! `EVP_BytesToKey` (MD5, one iteration, salt = first 8 bytes of the IV) and the DER is
//! CBC-encrypted with PKCS#7 padding.

use super::pem::Pem;
use crate::error::{Error, codes};
use cbc::cipher::{BlockCipherDecrypt, BlockModeDecrypt, KeyInit, KeyIvInit, block_padding::Pkcs7};
use md5::{Digest, Md5};
use zeroize::Zeroizing;

/// True when the block carries `Proc-Type: 4,ENCRYPTED`.
pub fn is_encrypted(block: &Pem) -> bool {
    block
        .header("Proc-Type")
        .is_some_and(|v| v.replace(' ', "").eq_ignore_ascii_case("4,ENCRYPTED"))
}

/// OpenSSL's `EVP_BytesToKey` with MD5 and one iteration: `D_i = MD5(D_{i-1} || pass || salt)`.
pub fn evp_bytes_to_key(pass: &[u8], salt: &[u8], key_len: usize) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(key_len.saturating_add(16)));
    let mut prev: Option<Zeroizing<Vec<u8>>> = None;
    while out.len() < key_len {
        let mut h = Md5::new();
        if let Some(p) = &prev {
            h.update(p.as_slice());
        }
        h.update(pass);
        h.update(salt);
        let d = Zeroizing::new(h.finalize().to_vec());
        out.extend_from_slice(&d);
        prev = Some(d);
    }
    out.truncate(key_len);
    out
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    s.as_bytes()
        .chunks(2)
        .map(|pair| {
            let text = std::str::from_utf8(pair).ok()?;
            u8::from_str_radix(text, 16).ok()
        })
        .collect()
}

fn cbc_decrypt<C: BlockCipherDecrypt + KeyInit>(
    key: &[u8],
    iv: &[u8],
    data: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    let mut buf = Zeroizing::new(data.to_vec());
    let len = cbc::Decryptor::<C>::new_from_slices(key, iv)
        .ok()?
        .decrypt_padded::<Pkcs7>(&mut buf)
        .ok()?
        .len();
    buf.truncate(len);
    Some(buf)
}

/// Decrypts the block's body with `pass`; a padding failure is reported as a wrong passphrase.
pub fn decrypt(block: &Pem, pass: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
    let corrupted = || {
        Error::invalid_key(
            "corrupted encrypted PEM key: the DEK-Info header must be `<cipher>,<hex IV>`",
        )
    };
    let dek = block.header("DEK-Info").ok_or_else(corrupted)?;
    let (cipher, iv_hex) = dek.split_once(',').ok_or_else(corrupted)?;
    let cipher = cipher.trim().to_ascii_uppercase();
    let iv = hex_decode(iv_hex.trim()).ok_or_else(corrupted)?;
    let (key_len, iv_len) = match cipher.as_str() {
        "AES-128-CBC" => (16, 16),
        "AES-192-CBC" => (24, 16),
        "AES-256-CBC" => (32, 16),
        "DES-EDE3-CBC" => (24, 8),
        _ => {
            let shown: String = cipher
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                .take(24)
                .collect();
            return Err(Error::local(
                codes::UNSUPPORTED_KEY,
                format!(
                    "encrypted PEM cipher {shown} is not supported (AES-128/192/256-CBC and \
                     DES-EDE3-CBC are); re-encrypt the key with `ssh-keygen -p -f <file>`"
                ),
            ));
        }
    };
    if iv.len() != iv_len {
        return Err(corrupted());
    }
    let salt = iv.get(..8).ok_or_else(corrupted)?;
    let key = evp_bytes_to_key(pass, salt, key_len);
    let data = block.der.as_slice();
    let plain = match cipher.as_str() {
        "AES-128-CBC" => cbc_decrypt::<aes::Aes128>(&key, &iv, data),
        "AES-192-CBC" => cbc_decrypt::<aes::Aes192>(&key, &iv, data),
        "AES-256-CBC" => cbc_decrypt::<aes::Aes256>(&key, &iv, data),
        _ => cbc_decrypt::<des::TdesEde3>(&key, &iv, data),
    };
    plain.ok_or_else(|| {
        Error::local(
            codes::BAD_PASSPHRASE,
            "wrong passphrase for the encrypted PEM private key",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evp_bytes_to_key_matches_openssl() {
        // Definition check here; tests/keys.rs decrypts real `openssl`/`ssh-keygen` output.
        let k32 = evp_bytes_to_key(b"password", &[1, 2, 3, 4, 5, 6, 7, 8], 32);
        let k16 = evp_bytes_to_key(b"password", &[1, 2, 3, 4, 5, 6, 7, 8], 16);
        assert_eq!(k32.len(), 32);
        assert_eq!(&k32[..16], &k16[..]);
        let first = Md5::digest(b"password\x01\x02\x03\x04\x05\x06\x07\x08");
        assert_eq!(&k16[..], first.as_slice());
        let mut second_in = first.to_vec();
        second_in.extend_from_slice(b"password\x01\x02\x03\x04\x05\x06\x07\x08");
        assert_eq!(&k32[16..], Md5::digest(&second_in).as_slice());
    }

    #[test]
    fn hex_and_headers() {
        assert_eq!(hex_decode("00ff10"), Some(vec![0, 255, 16]));
        assert_eq!(hex_decode("0"), None);
        assert_eq!(hex_decode("zz"), None);
        assert_eq!(hex_decode("é0"), None);
    }
}
