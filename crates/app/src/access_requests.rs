//! Access requests: validation, the operator's review, approval (customer and first admin) and rejection.
//! (Filled by the accounts issue.)
