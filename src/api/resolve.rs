//! Name resolution like node-triton's: a UUID, an 8-hex short id, or a name. Several
//! matches are an `AmbiguousName` error listing the candidates, none a `ResourceNotFound`.

use super::{is_short_id, is_uuid, quoted};
use crate::error::{Error, codes};

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
        many => {
            let list: Vec<String> = many
                .iter()
                .filter_map(|i| items.get(*i))
                .map(|t| match name(t) {
                    Some(n) => format!("{} ({n})", id(t)),
                    None => id(t).to_string(),
                })
                .collect();
            Err(Error::local(
                codes::AMBIGUOUS_NAME,
                format!(
                    "{} matches {} {what}s: {}; use the full id",
                    quoted(input),
                    many.len(),
                    list.join(", ")
                ),
            ))
        }
    }
}
