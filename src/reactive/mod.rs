//! The widget's reactive cells: signals, memos, effects, stored values, and the owners that
//! dispose of them.
//!
//! Leptos's reactive graph compiles its machinery once per value type, which came to a quarter
//! of the widget's code. Here the graph is type-erased: one runtime per thread keeps every node
//! in an arena, and a value type adds only the few lines that read it as its type (no type test:
//! a handle knows its node's type, see `graph::Value`).
//!
//! How it behaves:
//! - A signal's write marks what depends on it and runs the effects due in a microtask, once
//!   for all the writes of that turn (as Leptos's render effects do). Effects never run while
//!   a value is being read or written.
//! - A memo recomputes when it is read after something it read changed, and tells what reads
//!   it only when its value is not equal to the one before.
//! - An owner (a mounted view, an effect's last run) disposes of what was made under it: its
//!   nodes, the nodes of its children, and its cleanups. A disposed signal ignores writes,
//!   `try_` reads give `None`, and other reads panic, as Leptos's do.

mod cells;
mod dispose;
mod flush;
mod graph;
#[cfg(test)]
mod tests;

pub use cells::{effect, effect_after, on_cleanup, tick, Memo, Owner, RwSignal, StoredValue};
