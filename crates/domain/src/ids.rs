//! Typed row ids: a user's id and a customer's id are different kinds of number, so one
//! cannot be passed where the other is meant. The store keeps plain `i64`; the app wraps them.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Declares an id newtype over the database's `i64` key.
macro_rules! row_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(i64);

        impl $name {
            /// Wraps a key read from the store (or from a route's path, once it names this kind).
            pub const fn new(id: i64) -> Self {
                Self(id)
            }

            /// The plain key, for the store and for URLs.
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }
    };
}

row_id!(
    /// The id of a user (customer user or operator).
    UserId
);
row_id!(
    /// The id of a customer (a tenant).
    CustomerId
);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

    use super::*;
    use std::collections::HashSet;

    #[test]
    fn round_trips_the_plain_key() {
        assert_eq!(UserId::new(42).get(), 42);
        assert_eq!(CustomerId::new(-7).get(), -7);
    }

    #[test]
    fn displays_as_the_bare_number() {
        assert_eq!(UserId::new(42).to_string(), "42");
        assert_eq!(format!("/customers/{}", CustomerId::new(9)), "/customers/9");
    }

    #[test]
    fn serializes_transparently() {
        assert_eq!(serde_json::to_string(&CustomerId::new(5)).unwrap(), "5");
        let id: UserId = serde_json::from_str("12").unwrap();
        assert_eq!(id, UserId::new(12));
        assert!(serde_json::from_str::<UserId>("\"12\"").is_err());
    }

    #[test]
    fn orders_and_hashes_by_the_key() {
        assert!(CustomerId::new(1) < CustomerId::new(2));
        let set: HashSet<UserId> = [UserId::new(1), UserId::new(1), UserId::new(2)].into();
        assert_eq!(set.len(), 2);
    }
}
