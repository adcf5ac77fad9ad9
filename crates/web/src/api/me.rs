//! The signed-in user's own account: password change, personal tokens, second factor.
//! (Filled by the accounts issue.)

use crate::policy::Routes;

pub fn routes(r: Routes) -> Routes {
    r
}
