//! The pure decisions of credit-gauge: what a request costs, whether it may go now, and what
//! the server's answer means. No clock, no I/O, no web dependencies: every instant is a
//! parameter, so the same code runs natively under test and in the browser.

pub mod catalog;
pub mod credits;
pub mod time;
