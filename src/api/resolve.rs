//! Name resolution like node-triton's: a UUID, an 8-hex short id, or a name. Several
//! matches are an `AmbiguousName` error listing the candidates, none a `ResourceNotFound`.

use super::images::{Image, parse_name_version, pick_latest};
use super::{is_short_id, is_uuid, quoted};
use crate::error::{Error, codes};
use crate::json::Json;

/// How a user-given reference should be looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reference {
    /// A full UUID: fetch it directly.
    Uuid,
    /// 8 hex digits: a short id, or possibly a name; list and match.
    ShortIdOrName,
    /// Anything else: a name; list (server-side name filter where one exists) and match.
    Name,
}

/// Classifies `input` (empty → InvalidArgument naming `what`).
pub fn classify(what: &str, input: &str) -> Result<Reference, Error> {
    if input.trim().is_empty() {
        return Err(Error::invalid_argument(format!(
            "{what} must be a UUID, a short id or a name; got an empty string"
        )));
    }
    Ok(if is_uuid(input) {
        Reference::Uuid
    } else if is_short_id(input) {
        Reference::ShortIdOrName
    } else {
        Reference::Name
    })
}

/// The index in `items` that `input` names: exact id, else every item whose name equals
/// `input` or (for 8 hex digits) whose id starts with it. One match → its index.
pub fn resolve<T>(
    what: &str,
    input: &str,
    items: &[T],
    id: impl Fn(&T) -> &str,
    name: impl Fn(&T) -> Option<&str>,
) -> Result<usize, Error> {
    classify(what, input)?;
    if let Some(i) = items.iter().position(|t| id(t).eq_ignore_ascii_case(input)) {
        return Ok(i);
    }
    let short = is_short_id(input);
    let matches: Vec<usize> = items
        .iter()
        .enumerate()
        .filter(|(_, t)| {
            name(t) == Some(input)
                || (short
                    && id(t)
                        .get(..8)
                        .is_some_and(|p| p.eq_ignore_ascii_case(input)))
        })
        .map(|(i, _)| i)
        .collect();
    match matches.as_slice() {
        [one] => Ok(*one),
        [] => {
            let mut e = Error::local(
                "ResourceNotFound",
                format!("no {what} matches {}", quoted(input)),
            );
            e.status_code = 404;
            Err(e)
        }
        many => Err(ambiguous(
            what,
            input,
            many.iter()
                .filter_map(|i| items.get(*i))
                .map(|t| (id(t), name(t))),
        )),
    }
}

/// The `AmbiguousName` error for `input`: the message lists each candidate as `id (name)`,
/// and `body.candidates` holds them as `{ id, name }` for programs.
fn ambiguous<'a>(
    what: &str,
    input: &str,
    candidates: impl Iterator<Item = (&'a str, Option<&'a str>)>,
) -> Error {
    let mut shown = Vec::new();
    let mut listed = Vec::new();
    for (id, name) in candidates {
        shown.push(match name {
            Some(n) => format!("{id} ({n})"),
            None => id.to_string(),
        });
        let mut o = vec![("id".to_string(), Json::from(id))];
        if let Some(n) = name {
            o.push(("name".to_string(), Json::from(n)));
        }
        listed.push(Json::Object(o));
    }
    let mut e = Error::local(
        codes::AMBIGUOUS_NAME,
        format!(
            "{} matches {} {what}s: {}; use the full id",
            quoted(input),
            shown.len(),
            shown.join(", ")
        ),
    );
    e.body = Some(Json::Object(vec![(
        "candidates".to_string(),
        Json::Array(listed),
    )]));
    e
}

/// The image `input` names among `images`, node-triton style: a full id; else `name` or
/// `name@version` (several versions → the latest by `published_at`, then version); else an
/// 8-hex short id. A name match and a different short-id match are `AmbiguousName`.
pub fn resolve_image(input: &str, images: &[Image]) -> Result<usize, Error> {
    classify("image", input)?;
    if let Some(i) = images.iter().position(|m| m.id.eq_ignore_ascii_case(input)) {
        return Ok(i);
    }
    let by_name = pick_latest(input, images).ok();
    let by_prefix: Vec<usize> = if is_short_id(input) {
        images
            .iter()
            .enumerate()
            .filter(|(_, m)| m.id.get(..8).is_some_and(|p| p.eq_ignore_ascii_case(input)))
            .map(|(i, _)| i)
            .collect()
    } else {
        Vec::new()
    };
    let named = by_name.and_then(|m| images.iter().position(|x| std::ptr::eq(x, m)));
    match (named, by_prefix.as_slice()) {
        (Some(i), []) => Ok(i),
        (Some(i), [j]) if i == *j => Ok(i),
        (None, [j]) => Ok(*j),
        (None, []) => {
            let (name, version) = parse_name_version(input);
            let mut e = Error::local(
                "ResourceNotFound",
                match version {
                    Some(v) => format!("no image named {} has version {}", quoted(name), quoted(v)),
                    None => format!("no image matches {}", quoted(input)),
                },
            );
            e.status_code = 404;
            Err(e)
        }
        (named, prefix) => {
            let mut all: Vec<usize> = named.into_iter().collect();
            all.extend(prefix.iter().filter(|j| Some(**j) != named));
            Err(ambiguous(
                "image",
                input,
                all.iter()
                    .filter_map(|i| images.get(*i))
                    .map(|m| (m.id.as_str(), m.name.as_deref())),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Item(&'static str, Option<&'static str>);
    const A: &str = "4f1c3e2a-0b5d-4c2e-9a41-8f3e2d1c0b7a";
    const B: &str = "4f1c3e2a-9999-4c2e-9a41-8f3e2d1c0b7a";
    const C: &str = "0a0b0c0d-0b5d-4c2e-9a41-8f3e2d1c0b7a";

    fn pick(input: &str, items: &[Item]) -> Result<usize, Error> {
        resolve("machine", input, items, |t| t.0, |t| t.1)
    }

    #[test]
    fn classifies_uuid_short_id_name_and_rejects_empty() {
        assert_eq!(classify("machine", A).unwrap(), Reference::Uuid);
        assert_eq!(
            classify("machine", "4f1c3e2a").unwrap(),
            Reference::ShortIdOrName
        );
        assert_eq!(classify("machine", "web-1").unwrap(), Reference::Name);
        let e = classify("machine", "  ").unwrap_err();
        assert_eq!(e.code, "InvalidArgument");
        assert!(e.message.contains("empty"), "{}", e.message);
    }

    #[test]
    fn resolves_id_name_and_short_id() {
        let items = [Item(A, Some("web-1")), Item(C, Some("db"))];
        assert_eq!(pick(A, &items).unwrap(), 0);
        assert_eq!(pick(&A.to_uppercase(), &items).unwrap(), 0);
        assert_eq!(pick("db", &items).unwrap(), 1);
        assert_eq!(pick("0a0b0c0d", &items).unwrap(), 1);
        let e = pick("web-2", &items).unwrap_err();
        assert_eq!((e.code.as_str(), e.status_code), ("ResourceNotFound", 404));
    }

    #[test]
    fn ambiguity_lists_candidates_in_message_and_body() {
        let items = [Item(A, Some("web")), Item(B, Some("web")), Item(C, None)];
        let e = pick("web", &items).unwrap_err();
        assert_eq!(e.code, "AmbiguousName");
        assert!(e.message.contains(&format!("{A} (web)")), "{}", e.message);
        assert!(e.message.contains(&format!("{B} (web)")), "{}", e.message);
        let body = e.body.unwrap().to_json_string();
        assert!(
            body.contains(A) && body.contains(B) && !body.contains(C),
            "{body}"
        );
        // A short id shared by two machines is ambiguous too.
        assert_eq!(pick("4f1c3e2a", &items).unwrap_err().code, "AmbiguousName");
        // A machine whose name is another's short id: two different machines match.
        let items = [Item(A, Some("x")), Item(C, Some("4f1c3e2a"))];
        assert_eq!(pick("4f1c3e2a", &items).unwrap_err().code, "AmbiguousName");
        // CloudAPI's default name is the machine's own short id: one match.
        let items = [Item(A, Some("4f1c3e2a"))];
        assert_eq!(pick("4f1c3e2a", &items).unwrap(), 0);
    }

    fn img(id: &str, name: &str, version: &str, published: &str) -> Image {
        Image {
            id: id.into(),
            name: Some(name.into()),
            version: Some(version.into()),
            published_at: Some(published.into()),
            ..Default::default()
        }
    }

    #[test]
    fn images_by_name_pick_the_latest_and_name_at_version_the_exact_one() {
        let list = [
            img(A, "base-64-lts", "23.4.0", "2024-01-01T00:00:00Z"),
            img(B, "base-64-lts", "24.4.0", "2025-01-01T00:00:00Z"),
            img(C, "debian-12", "1", "2023-01-01T00:00:00Z"),
        ];
        assert_eq!(resolve_image("base-64-lts", &list).unwrap(), 1);
        assert_eq!(resolve_image("base-64-lts@23.4.0", &list).unwrap(), 0);
        assert_eq!(resolve_image(C, &list).unwrap(), 2);
        assert_eq!(resolve_image("0a0b0c0d", &list).unwrap(), 2);
        let e = resolve_image("base-64-lts@9.9.9", &list).unwrap_err();
        assert_eq!(e.code, "ResourceNotFound");
        assert!(e.message.contains("9.9.9"), "{}", e.message);
        assert_eq!(
            resolve_image("nope", &list).unwrap_err().code,
            "ResourceNotFound"
        );
        assert_eq!(
            resolve_image("", &list).unwrap_err().code,
            "InvalidArgument"
        );
        // Two images share the short id 4f1c3e2a.
        let e = resolve_image("4f1c3e2a", &list).unwrap_err();
        assert_eq!(e.code, "AmbiguousName");
        assert!(
            e.message.contains(A) && e.message.contains(B),
            "{}",
            e.message
        );
    }

    #[test]
    fn image_name_that_is_another_images_short_id_is_ambiguous() {
        let list = [
            img(A, "0a0b0c0d", "1", "2024-01-01T00:00:00Z"),
            img(C, "other", "1", "2024-01-01T00:00:00Z"),
        ];
        let e = resolve_image("0a0b0c0d", &list).unwrap_err();
        assert_eq!(e.code, "AmbiguousName");
        let list = [img(A, "4f1c3e2a", "1", "2024-01-01T00:00:00Z")];
        assert_eq!(resolve_image("4f1c3e2a", &list).unwrap(), 0);
    }
}
