//! Import plans.
