//! Access requests: the public form's API and the operator's queue.
//! (Filled by the accounts issue.)

use crate::policy::Routes;

pub fn routes(r: Routes) -> Routes {
    r
}
