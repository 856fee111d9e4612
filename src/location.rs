//! Where a DataCenter points: known short names (current MNX, legacy Joyent and Telefónica
//! clouds, cloudapi.md §6), user-supplied tables, host names and URLs.

use crate::error::{Error, codes};

/// The location used when none is given: MNX's public cloud.
pub const DEFAULT_LOCATION: &str = "us-central-1";

/// Short names of public CloudAPI endpoints: MNX (current) and Joyent (end-of-life 2019).
pub const KNOWN_LOCATIONS: &[(&str, &str)] = &[
    ("us-central-1", "https://us-central-1.api.mnx.io"),
    ("us-east-1", "https://us-east-1.api.joyent.com"),
    ("us-east-2", "https://us-east-2.api.joyent.com"),
    ("us-east-3", "https://us-east-3.api.joyent.com"),
    ("us-east-3b", "https://us-east-3b.api.joyent.com"),
    ("us-sw-1", "https://us-sw-1.api.joyent.com"),
    ("us-west-1", "https://us-west-1.api.joyent.com"),
    ("eu-ams-1", "https://eu-ams-1.api.joyent.com"),
];

/// py-smartdc's original `KNOWN_LOCATIONS` (`*.api.joyentcloud.com`), for `knownLocations`.
pub const JOYENTCLOUD_LOCATIONS: &[(&str, &str)] = &[
    ("us-east-1", "https://us-east-1.api.joyentcloud.com"),
    ("us-east-2", "https://us-east-2.api.joyentcloud.com"),
    ("us-east-3", "https://us-east-3.api.joyentcloud.com"),
    ("us-sw-1", "https://us-sw-1.api.joyentcloud.com"),
    ("us-west-1", "https://us-west-1.api.joyentcloud.com"),
    ("eu-ams-1", "https://eu-ams-1.api.joyentcloud.com"),
];

/// Telefónica InstantServers (SDC 6.5), two aliases per endpoint as in py-smartdc.
pub const TELEFONICA_LOCATIONS: &[(&str, &str)] = &[
    (
        "London",
        "https://api-eu-lon-1.instantservers.telefonica.com",
    ),
    (
        "eu-lon-1",
        "https://api-eu-lon-1.instantservers.telefonica.com",
    ),
    (
        "Madrid",
        "https://api-eu-mad-1.instantservers.telefonica.com",
    ),
    (
        "eu-mad-1",
        "https://api-eu-mad-1.instantservers.telefonica.com",
    ),
];

/// The base URL (no trailing slash) for `location`: a name from `extra` (checked first),
/// [`KNOWN_LOCATIONS`] or [`TELEFONICA_LOCATIONS`]; an `http(s)://` URL as-is; a host name
/// (containing `.`, or `localhost`, optionally with `:port`) as `https://host`.
pub fn resolve(location: &str, extra: &[(String, String)]) -> Result<String, Error> {
    let loc = location.trim();
    if loc.is_empty() {
        return Err(Error::invalid_argument(format!(
            "location is empty; use a known name ({}), a host name or an https:// URL",
            known_names(extra)
        )));
    }
    let lookup = |exact: bool| {
        let hit = |name: &str| {
            if exact {
                name == loc
            } else {
                name.eq_ignore_ascii_case(loc)
            }
        };
        extra
            .iter()
            .find(|(n, _)| hit(n))
            .map(|(n, u)| (n.as_str(), u.as_str()))
            .or_else(|| {
                KNOWN_LOCATIONS
                    .iter()
                    .chain(TELEFONICA_LOCATIONS)
                    .find(|(n, _)| hit(n))
                    .copied()
            })
    };
    if let Some((name, url)) = lookup(true).or_else(|| lookup(false)) {
        return normalize_url(url).map_err(|e| {
            Error::invalid_argument(format!("known location {name:?}: {}", e.message))
        });
    }
    if loc.contains("://") {
        return normalize_url(loc);
    }
    if is_host(loc) {
        return Ok(format!("https://{}", loc.to_ascii_lowercase()));
    }
    Err(Error::local(
        codes::UNKNOWN_LOCATION,
        format!(
            "unknown location {:?}; use one of {}, a host name or an https:// URL",
            loc,
            known_names(extra)
        ),
    ))
}

fn known_names(extra: &[(String, String)]) -> String {
    let mut names: Vec<&str> = extra.iter().map(|(n, _)| n.as_str()).collect();
    for (n, _) in KNOWN_LOCATIONS.iter().chain(TELEFONICA_LOCATIONS) {
        if !names.contains(n) {
            names.push(n);
        }
    }
    names.join(", ")
}

/// Checks an `http(s)` base URL and drops trailing slashes. Userinfo, query and fragment are
/// refused: credentials belong in keys, and anything after the path would corrupt every
/// request target appended to it.
pub fn normalize_url(url: &str) -> Result<String, Error> {
    let url = url.trim();
    let bad = |why: &str| Error::invalid_argument(format!("invalid CloudAPI URL {url:?}: {why}"));
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| bad("expected http:// or https://"))?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return Err(bad("only http:// and https:// are supported"));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad("contains whitespace"));
    }
    if rest.contains('?') || rest.contains('#') {
        return Err(bad("must not have a query or fragment"));
    }
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    if authority.contains('@') {
        return Err(bad("must not contain user info (user@host)"));
    }
    if authority.is_empty() || !is_host(authority) {
        return Err(bad("missing or malformed host"));
    }
    let path = path.trim_end_matches('/');
    Ok(format!(
        "{scheme}://{}{path}",
        authority.to_ascii_lowercase()
    ))
}

/// `host[:port]` where host is a DNS name with a dot, `localhost`, or a bracketed IPv6 address.
fn is_host(s: &str) -> bool {
    let (host, port) = match s.strip_prefix('[') {
        Some(rest) => {
            let Some((v6, after)) = rest.split_once(']') else {
                return false;
            };
            if v6.is_empty()
                || !v6
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
            {
                return false;
            }
            let port = match after {
                "" => None,
                p => match p.strip_prefix(':') {
                    Some(p) => Some(p),
                    None => return false,
                },
            };
            (None, port)
        }
        None => match s.split_once(':') {
            Some((h, p)) => (Some(h), Some(p)),
            None => (Some(s), None),
        },
    };
    let port_ok =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    let host_ok = host.is_none_or(|h| {
        (h.contains('.') || h.eq_ignore_ascii_case("localhost"))
            && h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
            && !h.starts_with(['.', '-'])
            && !h.ends_with('-')
            && !h.contains("..")
    });
    port_ok && host_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none() -> Vec<(String, String)> {
        Vec::new()
    }

    #[test]
    fn known_names_resolve() {
        assert_eq!(
            resolve(DEFAULT_LOCATION, &none()).unwrap(),
            "https://us-central-1.api.mnx.io"
        );
        assert_eq!(
            resolve("us-west-1", &none()).unwrap(),
            "https://us-west-1.api.joyent.com"
        );
        assert_eq!(
            resolve("london", &none()).unwrap(),
            "https://api-eu-lon-1.instantservers.telefonica.com"
        );
        assert_eq!(
            resolve("eu-mad-1", &none()).unwrap(),
            resolve("Madrid", &none()).unwrap()
        );
    }

    #[test]
    fn extra_table_wins() {
        let extra = vec![(
            "us-west-1".to_string(),
            "https://example.com/api/".to_string(),
        )];
        assert_eq!(
            resolve("us-west-1", &extra).unwrap(),
            "https://example.com/api"
        );
        let bad = vec![("x".to_string(), "ftp://example.com".to_string())];
        let e = resolve("x", &bad).unwrap_err();
        assert_eq!(e.code, "InvalidArgument");
        assert!(e.message.contains("\"x\""), "{}", e.message);
    }

    #[test]
    fn urls_and_hosts() {
        assert_eq!(
            resolve("http://127.0.0.1:8080/", &none()).unwrap(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            resolve("HTTPS://Cloud.Example.COM", &none()).unwrap(),
            "https://cloud.example.com"
        );
        assert_eq!(resolve("localhost", &none()).unwrap(), "https://localhost");
        assert_eq!(
            resolve("localhost:8443", &none()).unwrap(),
            "https://localhost:8443"
        );
        assert_eq!(
            resolve("cloudapi.example.com", &none()).unwrap(),
            "https://cloudapi.example.com"
        );
        assert_eq!(
            resolve("http://[::1]:9000", &none()).unwrap(),
            "http://[::1]:9000"
        );
    }

    #[test]
    fn bad_urls_are_refused() {
        for u in [
            "ftp://example.com",
            "javascript://x.y",
            "https://user:pw@example.com",
            "https://example.com/?a=b",
            "https://example.com/#x",
            "https://",
            "https://exa mple.com",
            "https://host:port",
        ] {
            let e = resolve(u, &none()).unwrap_err();
            assert_eq!(e.code, "InvalidArgument", "{u}");
        }
    }

    #[test]
    fn unknown_names_list_the_known_ones() {
        let e = resolve("us-nowhere-9", &none()).unwrap_err();
        assert_eq!(e.code, "UnknownLocation");
        assert!(e.message.contains("us-central-1"));
        assert!(e.message.contains("eu-lon-1"));
        assert_eq!(resolve("  ", &none()).unwrap_err().code, "InvalidArgument");
    }
}
