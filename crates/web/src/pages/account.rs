//! The account page: password change, forgotten password, sessions, personal tokens, second factor.
//! (Filled by the accounts issue.)

use crate::policy::Routes;

pub fn routes(r: Routes) -> Routes {
    r
}
