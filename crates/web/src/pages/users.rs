//! User management pages of a customer's administrators.
//! (Filled by the accounts issue.)

use crate::policy::Routes;

pub fn routes(r: Routes) -> Routes {
    r
}
