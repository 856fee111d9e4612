//! Reading option objects that come from JS: unknown names and wrong types are `TypeError`s
//! that name the option and list the valid ones, checked before anything is sent.

use super::js_error::type_error;
use js_sys::{Function, Object, Reflect};
use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer, Visitor};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// "a string", "null", "an array", … for messages about a value of the wrong type.
pub fn kind(v: &JsValue) -> &'static str {
    if v.is_undefined() {
        "undefined"
    } else if v.is_null() {
        "null"
    } else if v.as_string().is_some() {
        "a string"
    } else if v.as_f64().is_some() {
        "a number"
    } else if v.as_bool().is_some() {
        "a boolean"
    } else if v.is_function() {
        "a function"
    } else if js_sys::Array::is_array(v) {
        "an array"
    } else if v.is_bigint() {
        "a bigint"
    } else if v.is_symbol() {
        "a symbol"
    } else {
        "an object"
    }
}

/// An options object: `what` names it in messages (e.g. `new DataCenter(options)`).
pub struct Options {
    obj: Object,
    what: &'static str,
}

impl Options {
    /// Checks that `v` is a plain object (or, when `optional`, undefined/null → empty) whose
    /// keys are all in `valid`.
    pub fn new(
        v: &JsValue,
        what: &'static str,
        valid: &[&str],
        optional: bool,
    ) -> Result<Options, JsValue> {
        let obj = if (v.is_undefined() || v.is_null()) && optional {
            Object::new()
        } else if v.is_object() && !v.is_function() && !js_sys::Array::is_array(v) {
            v.clone().unchecked_into::<Object>()
        } else {
            return Err(type_error(format!(
                "{what} must be an object, got {}",
                kind(v)
            )));
        };
        for key in Object::keys(&obj).iter() {
            let name = key.as_string().unwrap_or_default();
            if !valid.contains(&name.as_str()) {
                return Err(type_error(format!(
                    "{what}: unknown option {name:?}; valid options are {}",
                    valid.join(", ")
                )));
            }
        }
        Ok(Options { obj, what })
    }

    /// The raw value of `key`; `undefined` and `null` read as absent.
    pub fn get(&self, key: &str) -> Result<Option<JsValue>, JsValue> {
        let v = Reflect::get(&self.obj, &JsValue::from_str(key))?;
        Ok(if v.is_undefined() || v.is_null() {
            None
        } else {
            Some(v)
        })
    }

    fn wrong(&self, key: &str, expected: &str, v: &JsValue) -> JsValue {
        type_error(format!(
            "{}: option {key} must be {expected}, got {}",
            self.what,
            kind(v)
        ))
    }

    /// A string option.
    pub fn string(&self, key: &str) -> Result<Option<String>, JsValue> {
        match self.get(key)? {
            None => Ok(None),
            Some(v) => v
                .as_string()
                .map(Some)
                .ok_or_else(|| self.wrong(key, "a string", &v)),
        }
    }

    /// A finite number option.
    pub fn number(&self, key: &str) -> Result<Option<f64>, JsValue> {
        match self.get(key)? {
            None => Ok(None),
            Some(v) => match v.as_f64() {
                Some(n) if !n.is_nan() => Ok(Some(n)),
                _ => Err(self.wrong(key, "a number", &v)),
            },
        }
    }

    /// A duration in milliseconds: positive (`Infinity` allowed when `infinite_ok`).
    pub fn millis(&self, key: &str, infinite_ok: bool) -> Result<Option<f64>, JsValue> {
        match self.number(key)? {
            None => Ok(None),
            Some(n) if n > 0.0 && (n.is_finite() || infinite_ok) => Ok(Some(n)),
            Some(n) => Err(type_error(format!(
                "{}: option {key} must be a positive number of milliseconds{}, got {n}",
                self.what,
                if infinite_ok { " or Infinity" } else { "" }
            ))),
        }
    }

    /// A function option.
    pub fn function(&self, key: &str) -> Result<Option<Function>, JsValue> {
        match self.get(key)? {
            None => Ok(None),
            Some(v) if v.is_function() => Ok(Some(v.unchecked_into())),
            Some(v) => Err(self.wrong(key, "a function", &v)),
        }
    }

    /// An object option whose values are all strings (numbers are accepted and written as
    /// text); returned as pairs in key order.
    pub fn string_map(&self, key: &str) -> Result<Option<Vec<(String, String)>>, JsValue> {
        let Some(v) = self.get(key)? else {
            return Ok(None);
        };
        if !v.is_object() || v.is_function() || js_sys::Array::is_array(&v) {
            return Err(self.wrong(key, "an object of name → string", &v));
        }
        let mut out = Vec::new();
        for entry in Object::entries(v.unchecked_ref::<Object>()).iter() {
            let pair: js_sys::Array = entry.unchecked_into();
            let name = pair.get(0).as_string().unwrap_or_default();
            let value = pair.get(1);
            let text = match (value.as_string(), value.as_f64()) {
                (Some(s), _) => s,
                (None, Some(n)) if n.is_finite() => format!("{n}"),
                _ => {
                    return Err(type_error(format!(
                        "{}: {key}.{name} must be a string, got {}",
                        self.what,
                        kind(&value)
                    )));
                }
            };
            out.push((name, text));
        }
        Ok(Some(out))
    }

    /// An `AbortSignal` option (duck-typed: `aborted` and `addEventListener`).
    pub fn signal(&self, key: &str) -> Result<Option<super::cancel::AbortSignal>, JsValue> {
        match self.get(key)? {
            None => Ok(None),
            Some(v) if super::cancel::is_signal(&v) => Ok(Some(v.unchecked_into())),
            Some(v) => Err(self.wrong(key, "an AbortSignal", &v)),
        }
    }
}

/// Deserializes an optional argument object into a core type (filters, create options);
/// unknown fields and wrong types become a `TypeError` prefixed with `what`.
pub fn from_js<T: DeserializeOwned + Default>(v: &JsValue, what: &str) -> Result<T, JsValue> {
    if v.is_undefined() || v.is_null() {
        return Ok(T::default());
    }
    if !v.is_object() || v.is_function() || js_sys::Array::is_array(v) {
        return Err(type_error(format!(
            "{what} must be an object, got {}",
            kind(v)
        )));
    }
    if let Some(fields) = struct_fields::<T>() {
        for key in Object::keys(v.unchecked_ref::<Object>()).iter() {
            let name = key.as_string().unwrap_or_default();
            if !fields.contains(&name.as_str()) {
                return Err(type_error(format!(
                    "{what}: unknown option {name:?}; valid options are {}",
                    fields.join(", ")
                )));
            }
        }
    }
    serde_wasm_bindgen::from_value(v.clone())
        .map_err(|e| type_error(format!("{what}: {}", friendly_serde(&e.to_string()))))
}

/// The field names (aliases included) a derived `Deserialize` struct accepts, or `None` for
/// other types. Why: serde-wasm-bindgen reads a struct's fields from a JS object by name and
/// never looks at other keys, so `deny_unknown_fields` alone would not catch a misspelt
/// option; the names are asked of the type itself so the list cannot drift.
fn struct_fields<'de, T: Deserialize<'de>>() -> Option<&'static [&'static str]> {
    let mut found = None;
    let _ = T::deserialize(FieldNames(&mut found));
    found
}

/// A deserializer that only records the field list `deserialize_struct` is called with.
struct FieldNames<'a>(&'a mut Option<&'static [&'static str]>);

impl<'de> Deserializer<'de> for FieldNames<'_> {
    type Error = serde::de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(serde::de::Error::custom("not a struct"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        *self.0 = Some(fields);
        Err(serde::de::Error::custom("field names recorded"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

/// serde's "unknown field `x`, expected one of `a`, `b`" in this package's wording.
fn friendly_serde(msg: &str) -> String {
    msg.replace("unknown field", "unknown option")
        .replace("invalid type: ", "wrong type: ")
        .replace('`', "\"")
}

/// A required string argument (method names, ids); `what` names it.
pub fn string_arg(v: &JsValue, what: &str) -> Result<String, JsValue> {
    v.as_string()
        .ok_or_else(|| type_error(format!("{what} must be a string, got {}", kind(v))))
}
