//! The contact profile an account and a sub-user share (cloudapi.md §4.1, §4.4): the output
//! model [`Profile`] and the input fields that `profile_input!` adds to
//! `AccountUpdate`/`UserInput`.

use serde::{Deserialize, Serialize};

/// Profile fields of an account or sub-user as CloudAPI returns them (flattened into the model).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Profile {
    /// E-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Company.
    #[serde(
        rename = "companyName",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub company_name: Option<String>,
    /// First name.
    #[serde(rename = "firstName", default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(rename = "lastName", default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Street address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Postal code.
    #[serde(
        rename = "postalCode",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub postal_code: Option<String>,
    /// City.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// State or region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// Declares an input struct with the profile fields (wire names, the seed's snake_case names
/// as aliases) followed by its own fields, and a `profile_pairs` method for building bodies.
///
/// A macro rather than a flattened struct: `#[serde(flatten)]` turns the struct into a map,
/// which loses `deny_unknown_fields` (and its "expected one of …" list) and the field list
/// `wasm::options::from_js` checks JS option keys against.
macro_rules! profile_input {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty, )*
        }
    ) => {
        $(#[$meta])*
        #[serde(deny_unknown_fields)]
        pub struct $name {
            /// E-mail address.
            #[serde(default)]
            pub email: Option<String>,
            /// Company.
            #[serde(rename = "companyName", alias = "company_name", default)]
            pub company_name: Option<String>,
            /// First name.
            #[serde(rename = "firstName", alias = "first_name", default)]
            pub first_name: Option<String>,
            /// Last name.
            #[serde(rename = "lastName", alias = "last_name", default)]
            pub last_name: Option<String>,
            /// Street address.
            #[serde(default)]
            pub address: Option<String>,
            /// Postal code.
            #[serde(rename = "postalCode", alias = "postal_code", default)]
            pub postal_code: Option<String>,
            /// City.
            #[serde(default)]
            pub city: Option<String>,
            /// State or region.
            #[serde(default)]
            pub state: Option<String>,
            /// Country.
            #[serde(default)]
            pub country: Option<String>,
            /// Phone number.
            #[serde(default)]
            pub phone: Option<String>,
            $( $(#[$fmeta])* pub $field: $ty, )*
        }

        impl $name {
            /// The profile fields by wire name, set or not.
            pub fn profile_pairs(&self) -> [(&'static str, &Option<String>); 10] {
                [
                    ("email", &self.email),
                    ("companyName", &self.company_name),
                    ("firstName", &self.first_name),
                    ("lastName", &self.last_name),
                    ("address", &self.address),
                    ("postalCode", &self.postal_code),
                    ("city", &self.city),
                    ("state", &self.state),
                    ("country", &self.country),
                    ("phone", &self.phone),
                ]
            }
        }
    };
}

pub(crate) use profile_input;
