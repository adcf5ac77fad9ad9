//! User management by a customer's administrators (`/api/v1/users`).
//! (Filled by the accounts issue.)

use crate::policy::Routes;

pub fn routes(r: Routes) -> Routes {
    r
}
