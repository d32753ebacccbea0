//! The compact module: `credit-gauge` without its panels. Everything it exports to JavaScript
//! (`mount`, `mountFrame`, the mount handle and its `fetch`) is the widget's own; linking the
//! crate is all this module does.

pub use credit_gauge::embed::mount;
