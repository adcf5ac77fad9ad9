//! Pure domain types and rules of the Collect & Stamp portal.
//! Every type here parses its input once (parse, don't validate); nothing here does I/O.

pub mod barcode;
pub mod calendar;
pub mod clock;
pub mod country;
pub mod customer;
pub mod dates;
pub mod feeds;
pub mod holidays;
pub mod ids;
pub mod language;
pub mod money;
pub mod money_text;
pub mod period;
pub mod phone;
pub mod redirect;
pub mod rights;
pub mod service_centre;
pub mod user;
pub mod vat;

pub use barcode::Barcode;
pub use clock::{Clock, FixedClock, SystemClock};
pub use customer::CustomerNumber;
pub use feeds::{ColumnMap, FeedKind, FeedRecord, FieldProblem, HeaderProblem};
pub use ids::{CustomerId, UserId};
pub use language::Language;
pub use money::{Cents, UnitPriceMillis};
pub use period::{DateRange, Period};
pub use phone::Phone;
pub use rights::{Module, Modules, Role};
pub use service_centre::ServiceCentre;
pub use user::{Email, Password, UserStatus, Username};
pub use vat::VatNumber;
