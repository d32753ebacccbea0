//! The typed cells over the graph: signals, memos, effects, stored values, owners and
//! cleanups. A value type adds only the lines that read it as its type.

use std::marker::PhantomData;
use std::rc::Rc;

use super::dispose::dispose;
use super::flush::{flush, schedule_flush};
use super::graph::{
    cell, gone, insert, is_alive, memo_node, new_effect, read, refresh, replace, runtime, track,
    typed, value_node, write, written, Cell, Id, Node,
};

/// A typed handle to a node, `Copy` whatever its type (the value stays in the runtime).
macro_rules! handle {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        pub struct $name<T> {
            id: Id,
            ty: PhantomData<fn() -> T>,
        }

        impl<T> Clone for $name<T> {
            fn clone(&self) -> Self {
                *self
            }
        }

        impl<T> Copy for $name<T> {}

        impl<T> $name<T> {
            fn from_id(id: Id) -> $name<T> {
                $name { id, ty: PhantomData }
            }

            pub fn is_disposed(&self) -> bool {
                !is_alive(self.id)
            }
        }
    };
}

/// A signal's and a memo's tracked read and their cloning reads, from their
/// `with_untracked` (where they differ: a memo is brought up to date first).
macro_rules! reads {
    ($name:ident, $($bound:tt)+) => {
        impl<T: $($bound)+> $name<T> {
            /// Reads the value, and the running memo or effect depends on it.
            #[track_caller]
            pub fn with<R>(&self, f: impl FnOnce(&T) -> R) -> R {
                track(self.id);
                self.with_untracked(f)
            }
        }

        impl<T: Clone + $($bound)+> $name<T> {
            #[track_caller]
            pub fn get(&self) -> T {
                self.with(T::clone)
            }

            #[track_caller]
            pub fn get_untracked(&self) -> T {
                self.with_untracked(T::clone)
            }
        }
    };
}

handle! {
    /// A value that views read and the widget writes; what read it follows its changes. `Copy`.
    RwSignal
}

impl<T: 'static> RwSignal<T> {
    pub fn new(value: T) -> RwSignal<T> {
        RwSignal::from_id(value_node(Box::new(value)))
    }

    /// Reads the value without depending on it; `None` once disposed.
    pub fn try_with_untracked<R>(&self, f: impl FnOnce(&T) -> R) -> Option<R> {
        read(cell(self.id)?, f)
    }

    #[track_caller]
    pub fn with_untracked<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        self.try_with_untracked(f).unwrap_or_else(|| gone())
    }

    /// Changes the value in place, and what read it follows. Nothing once disposed.
    pub fn update(&self, f: impl FnOnce(&mut T)) {
        if write(self.id, f).is_some() {
            written(self.id);
        }
    }

    pub fn set(&self, value: T) {
        if replace(self.id, Box::new(value)) {
            written(self.id);
        }
    }

    /// Makes the running memo or effect depend on the value without reading it.
    pub fn track(&self) {
        track(self.id)
    }
}

reads!(RwSignal, 'static);

impl<T: Clone + 'static> RwSignal<T> {
    pub fn try_get_untracked(&self) -> Option<T> {
        self.try_with_untracked(T::clone)
    }
}

handle! {
    /// A value derived from signals and memos, recomputed when read after one of them changed;
    /// what reads it follows it only when it comes out different. `Copy`.
    Memo
}

impl<T: PartialEq + 'static> Memo<T> {
    /// A memo of `compute`, which is given the value before (none the first time).
    pub fn new(compute: impl Fn(Option<&T>) -> T + 'static) -> Memo<T> {
        let compute = move |cell: &Cell| {
            let new = {
                let before = cell.borrow();
                // SAFETY: a memo's cell only ever holds what `compute` gave, a `T`.
                compute(before.as_deref().map(|v| unsafe { typed(v) }))
            };
            let mut value = cell.borrow_mut();
            // SAFETY: as above.
            if value.as_deref().map(|v| unsafe { typed(v) }) == Some(&new) {
                return false;
            }
            *value = Some(Box::new(new));
            true
        };
        Memo::from_id(memo_node(Rc::new(compute)))
    }

    /// Reads the value (computed first if out of date) without depending on it.
    #[track_caller]
    pub fn with_untracked<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        refresh(self.id);
        cell(self.id)
            .and_then(|c| read(c, f))
            .unwrap_or_else(|| gone())
    }

    pub fn track(&self) {
        self.with(|_| ())
    }
}

reads!(Memo, PartialEq + 'static);

/// Runs `update` now and again (in a microtask) whenever a signal or memo it read changes, for
/// as long as the current owner lives. What it makes while it runs is disposed of before it
/// runs again.
pub fn effect(update: impl FnMut() + 'static) {
    refresh(new_effect(update));
}

/// As [`effect`], but its first run too waits for the microtask: what made it finishes first
/// (a host page adds its listeners after `mount` has returned).
pub fn effect_after(update: impl FnMut() + 'static) {
    let id = new_effect(update);
    runtime(|rt| rt.queue.push_back(id));
    schedule_flush();
}

/// A value kept for as long as its owner lives, which nothing follows: a signal only ever
/// read untracked (and whose writes, having no readers to tell, run nothing). `Copy`.
pub struct StoredValue<T>(RwSignal<T>);

impl<T> Clone for StoredValue<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for StoredValue<T> {}

impl<T: 'static> StoredValue<T> {
    pub fn new(value: T) -> StoredValue<T> {
        StoredValue(RwSignal::new(value))
    }

    pub fn try_with_value<R>(&self, f: impl FnOnce(&T) -> R) -> Option<R> {
        self.0.try_with_untracked(f)
    }

    #[track_caller]
    pub fn with_value<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        self.0.with_untracked(f)
    }

    /// Changes the value in place; `None` once disposed.
    pub fn try_update_value<R>(&self, f: impl FnOnce(&mut T) -> R) -> Option<R> {
        write(self.0.id, f)
    }

    /// Changes the value in place; nothing once disposed.
    pub fn update_value(&self, f: impl FnOnce(&mut T)) {
        self.try_update_value(f);
    }

    pub fn set_value(&self, value: T) {
        replace(self.0.id, Box::new(value));
    }

    pub fn is_disposed(&self) -> bool {
        self.0.is_disposed()
    }
}

impl<T: Clone + 'static> StoredValue<T> {
    #[track_caller]
    pub fn get_value(&self) -> T {
        self.0.get_untracked()
    }

    pub fn try_get_value(&self) -> Option<T> {
        self.0.try_get_untracked()
    }
}

/// What nodes made under it belong to; disposing of it disposes of them. `Copy`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Owner {
    id: Id,
}

impl Owner {
    /// A new owner, itself owned by the current one (if any).
    pub fn new() -> Owner {
        Owner {
            id: insert(Node::default()),
        }
    }

    /// The owner of what is made now, if there is one.
    pub fn current() -> Option<Owner> {
        runtime(|rt| {
            let id = rt.owner?;
            rt.node(id).map(|_| Owner { id })
        })
    }

    /// An owner of its own, owned by none: what is made under it lives until it is disposed
    /// of, whatever runs around it.
    pub fn new_root() -> Owner {
        let before = runtime(|rt| rt.owner.take());
        let owner = Owner::new();
        runtime(|rt| rt.owner = before);
        owner
    }

    /// Runs `f` with this owner as the current one, untracked: what `f` reads, no running
    /// effect depends on.
    pub fn with<R>(&self, f: impl FnOnce() -> R) -> R {
        let before = runtime(|rt| (rt.owner.replace(self.id), rt.observer.take()));
        let result = f();
        runtime(|rt| (rt.owner, rt.observer) = before);
        result
    }

    /// Disposes of this owner and all it owns, and runs its cleanups.
    pub fn dispose(&self) {
        dispose(self.id)
    }

    pub fn is_disposed(&self) -> bool {
        !is_alive(self.id)
    }
}

impl Default for Owner {
    fn default() -> Self {
        Owner::new()
    }
}

/// Runs `cleanup` when the current owner is disposed of (or, for an effect, before it runs
/// again); at once if that owner is gone already. Without an owner it never runs. A cleanup
/// reads the signals and stored values made beside it, not its memos (disposed of first, with
/// the effects).
pub fn on_cleanup(cleanup: impl FnOnce() + 'static) {
    // Boxed at once: what follows is compiled once, not once per cleanup's closure type.
    keep_cleanup(Box::new(cleanup));
}

#[inline(never)]
fn keep_cleanup(cleanup: Box<dyn FnOnce()>) {
    enum Place {
        Kept,
        Gone(Box<dyn FnOnce()>),
        Unowned(Box<dyn FnOnce()>),
    }
    let place = runtime(|rt| match rt.owner {
        Some(owner) => match rt.node(owner) {
            Some(node) => {
                node.cleanups.push(cleanup);
                Place::Kept
            }
            None => Place::Gone(cleanup),
        },
        None => Place::Unowned(cleanup),
    });
    match place {
        Place::Kept => {}
        Place::Gone(cleanup) => cleanup(),
        // What it would have stopped (a timer, a listener) runs for the page's lifetime, as
        // it would have with no owner to stop it.
        Place::Unowned(cleanup) => std::mem::forget(cleanup),
    }
}

/// Waits until the effects due have run (what a view shows follows what was just written).
pub async fn tick() {
    let turn = js_sys::Promise::resolve(&wasm_bindgen::JsValue::UNDEFINED);
    let _ = crate::task::settled(&turn).await;
    flush();
}
