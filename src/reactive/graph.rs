//! The graph beneath the cells: one runtime per thread, an arena of type-erased nodes, what
//! marks them out of date and brings them up to date. When the effects due run is `flush.rs`;
//! how a node and what it owns go is `dispose.rs`.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use super::dispose::dispose_children;
use super::flush::schedule_flush;

/// Any value a node holds, its type erased. Not `dyn Any`: a node's value never changes type
/// (see [`Id`]), so its typed handle knows the type, and a type test per read would bring each
/// type's 16-byte id into the download, where it does not compress.
pub(super) trait Value {}

impl<T: 'static> Value for T {}

/// A node's value, shared with the readers of the moment so that none holds the runtime.
pub(super) type Cell = Rc<RefCell<Option<Box<dyn Value>>>>;

/// The `T` that `value` is.
///
/// # Safety
/// `value` must be a `T`: the value of a node read through a handle typed `T`. A node's value
/// is only ever put there through its handle (`value_node`, `replace`, a memo's own compute),
/// and an `Id` names one node forever (`Runtime::insert` never reuses a generation), so a
/// handle's node holds a value of the handle's type.
pub(super) unsafe fn typed<T: 'static>(value: &dyn Value) -> &T {
    // SAFETY: the caller vouches that the pointee is a `T`; this drops the vtable only.
    unsafe { &*(value as *const dyn Value).cast::<T>() }
}

/// [`typed`], to change it. Same safety conditions.
pub(super) unsafe fn typed_mut<T: 'static>(value: &mut dyn Value) -> &mut T {
    // SAFETY: as in `typed`.
    unsafe { &mut *(value as *mut dyn Value).cast::<T>() }
}

/// A node: its place in the arena and that place's generation (a reused place is another node).
/// A place whose generation has run out is never reused, so an `Id` never names two nodes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) struct Id {
    pub(super) index: u32,
    pub(super) generation: u32,
}

/// Whether a memo or an effect is up to date: `Check` when something it read may have changed
/// (a memo upstream), `Dirty` when something it read did.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub(super) enum State {
    #[default]
    Clean,
    Check,
    Dirty,
}

#[derive(Clone, Default)]
pub(super) enum Run {
    /// A signal, a stored value or an owner.
    #[default]
    Nothing,
    /// Recomputes the memo's value in its cell; says whether it changed.
    Memo(Rc<dyn Fn(&Cell) -> bool>),
    Effect(Rc<RefCell<dyn FnMut()>>),
}

#[derive(Default)]
pub(super) struct Node {
    pub(super) value: Option<Cell>,
    pub(super) run: Run,
    pub(super) state: State,
    pub(super) sources: Vec<Id>,
    pub(super) observers: Vec<Id>,
    pub(super) parent: Option<Id>,
    pub(super) children: Vec<Id>,
    pub(super) cleanups: Vec<Box<dyn FnOnce()>>,
}

pub(super) struct Entry {
    pub(super) generation: u32,
    pub(super) node: Option<Node>,
}

pub(super) struct Runtime {
    pub(super) entries: Vec<Entry>,
    pub(super) free: Vec<u32>,
    /// The memo or effect running now: what it reads, it depends on.
    pub(super) observer: Option<Id>,
    /// Where nodes made now belong.
    pub(super) owner: Option<Id>,
    /// Effects due to run, in the order they became due.
    pub(super) queue: VecDeque<Id>,
    pub(super) flush_scheduled: bool,
    /// A flush stopped at `MAX_RUNS`: no flush runs until the timeout that resumes them.
    pub(super) paused: bool,
}

impl Runtime {
    const fn new() -> Runtime {
        Runtime {
            entries: Vec::new(),
            free: Vec::new(),
            observer: None,
            owner: None,
            queue: VecDeque::new(),
            flush_scheduled: false,
            paused: false,
        }
    }
}

thread_local! {
    // Made at compile time: every access (one per kind of use of the runtime) then skips the
    // check and the call that a lazily made value needs.
    static RUNTIME: RefCell<Runtime> = const { RefCell::new(Runtime::new()) };
}

/// Runs `f` on the runtime. `f` never calls code of a node (that could come back here).
pub(super) fn runtime<R>(f: impl FnOnce(&mut Runtime) -> R) -> R {
    RUNTIME.with(|rt| f(&mut rt.borrow_mut()))
}

impl Runtime {
    pub(super) fn node(&mut self, id: Id) -> Option<&mut Node> {
        let entry = self.entries.get_mut(id.index as usize)?;
        if entry.generation != id.generation {
            return None;
        }
        entry.node.as_mut()
    }

    /// Adds a node, owned by the current owner.
    pub(super) fn insert(&mut self, mut node: Node) -> Id {
        node.parent = self.owner.filter(|&o| self.node(o).is_some());
        let id = match self.free.pop() {
            Some(index) => {
                let entry = &mut self.entries[index as usize];
                // Only places with generations left are freed (`dispose`).
                entry.generation += 1;
                entry.node = Some(node);
                Id {
                    index,
                    generation: entry.generation,
                }
            }
            None => {
                self.entries.push(Entry {
                    generation: 0,
                    node: Some(node),
                });
                Id {
                    index: self.entries.len() as u32 - 1,
                    generation: 0,
                }
            }
        };
        if let Some(parent) = self.entries[id.index as usize]
            .node
            .as_ref()
            .and_then(|n| n.parent)
        {
            if let Some(p) = self.node(parent) {
                p.children.push(id);
            }
        }
        id
    }

    /// Marks `id` (and, as `Check`, what depends on it) no better than `state`; queues the
    /// effects that were up to date.
    pub(super) fn mark(&mut self, id: Id, state: State) {
        let Some(node) = self.node(id) else {
            return;
        };
        if node.state >= state {
            return;
        }
        let was_clean = node.state == State::Clean;
        node.state = state;
        let is_effect = matches!(node.run, Run::Effect(_));
        let observers = node.observers.clone();
        if is_effect && was_clean {
            self.queue.push_back(id);
        }
        for o in observers {
            self.mark(o, State::Check);
        }
    }

    /// Unlinks `id` from what it read.
    pub(super) fn forget_sources(&mut self, id: Id) {
        let sources = self.node(id).map(|n| std::mem::take(&mut n.sources));
        for s in sources.unwrap_or_default() {
            if let Some(source) = self.node(s) {
                source.observers.retain(|&o| o != id);
            }
        }
    }
}

pub(super) fn insert(node: Node) -> Id {
    runtime(|rt| rt.insert(node))
}

pub(super) fn is_alive(id: Id) -> bool {
    runtime(|rt| rt.node(id).is_some())
}

/// The value cell of a live node.
pub(super) fn cell(id: Id) -> Option<Cell> {
    runtime(|rt| rt.node(id).and_then(|n| n.value.clone()))
}

/// Makes the running memo or effect depend on `id`.
pub(super) fn track(id: Id) {
    runtime(|rt| {
        let Some(observer) = rt.observer else {
            return;
        };
        if rt.node(id).is_none() {
            return;
        }
        let Some(o) = rt.node(observer) else {
            return;
        };
        if !o.sources.contains(&id) {
            o.sources.push(id);
            if let Some(source) = rt.node(id) {
                source.observers.push(observer);
            }
        }
    })
}

/// After a write to `id`: what read it is out of date; the effects run in a microtask.
pub(super) fn written(id: Id) {
    runtime(|rt| {
        let observers = rt.node(id).map(|n| n.observers.clone()).unwrap_or_default();
        for o in observers {
            rt.mark(o, State::Dirty);
        }
    });
    schedule_flush();
}

/// Brings a memo or an effect up to date: recomputes it if something it read changed.
pub(super) fn refresh(id: Id) {
    let Some((state, sources)) = runtime(|rt| rt.node(id).map(|n| (n.state, n.sources.clone())))
    else {
        return;
    };
    if state == State::Check {
        for source in sources {
            refresh(source);
            if runtime(|rt| rt.node(id).map(|n| n.state)) == Some(State::Dirty) {
                break;
            }
        }
    }
    if runtime(|rt| rt.node(id).map(|n| n.state)) == Some(State::Dirty) {
        // It leaves itself clean before it runs: what its run writes marks it again.
        recompute(id);
        return;
    }
    runtime(|rt| {
        if let Some(node) = rt.node(id) {
            node.state = State::Clean;
        }
    });
}

pub(super) fn recompute(id: Id) {
    dispose_children(id);
    let Some((run, value)) = runtime(|rt| {
        rt.forget_sources(id);
        rt.node(id).map(|n| (n.run.clone(), n.value.clone()))
    }) else {
        return;
    };
    let before = runtime(|rt| {
        let observer = rt.observer.replace(id);
        let owner = rt.owner.replace(id);
        (observer, owner)
    });
    // Clean while it runs: a write during its run to what it read (its own, a nested effect's,
    // an event handler's) marks and queues it again, so it runs once more with the new value.
    runtime(|rt| {
        if let Some(node) = rt.node(id) {
            node.state = State::Clean;
        }
    });
    let changed = match (&run, &value) {
        (Run::Memo(compute), Some(cell)) => compute(cell),
        (Run::Effect(effect), _) => {
            // Busy only if an earlier run never finished (it panicked): it is not run again.
            if let Ok(mut run) = effect.try_borrow_mut() {
                run();
            }
            false
        }
        _ => false,
    };
    runtime(|rt| {
        (rt.observer, rt.owner) = before;
        if changed {
            // Those that may have depended on the old value (marked `Check`, so queued or
            // being brought up to date) must recompute; a clean one has just read this value.
            let observers = rt.node(id).map(|n| n.observers.clone()).unwrap_or_default();
            for o in observers {
                if let Some(node) = rt.node(o).filter(|n| n.state == State::Check) {
                    node.state = State::Dirty;
                }
            }
        }
    });
}

#[cold]
#[track_caller]
pub(super) fn gone() -> ! {
    panic!("a widget's value was read after the widget was taken off the page")
}

/// Runs `f` with `cell`'s value as a `T`.
pub(super) fn read<T: 'static, R>(cell: Cell, f: impl FnOnce(&T) -> R) -> Option<R> {
    let value = cell.borrow();
    // SAFETY: `cell` is the node of a handle typed `T` (the callers in `cells`).
    Some(f(unsafe { typed(value.as_deref()?) }))
}

/// Runs `f` on `id`'s value as a `T`, to change it; `None` once disposed.
pub(super) fn write<T: 'static, R>(id: Id, f: impl FnOnce(&mut T) -> R) -> Option<R> {
    let cell = cell(id)?;
    let mut value = cell.borrow_mut();
    // SAFETY: `id` is a handle's typed `T` (the callers in `cells`).
    Some(f(unsafe { typed_mut(value.as_deref_mut()?) }))
}

/// Replaces `id`'s value with `value` (of the type its handle names); `false` once disposed.
/// One function for every value type: a whole new value needs no downcast, and each type's
/// `set` only boxes its value.
#[inline(never)]
pub(super) fn replace(id: Id, value: Box<dyn Value>) -> bool {
    let Some(cell) = cell(id) else {
        return false;
    };
    let before = {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            return false;
        }
        slot.replace(value)
    };
    // Dropped once the cell is free again, should dropping it read the value.
    drop(before);
    true
}

/// A node holding `value`: a signal's or a stored value's.
pub(super) fn value_node(value: Box<dyn Value>) -> Id {
    insert(Node {
        value: Some(Rc::new(RefCell::new(Some(value)))),
        ..Node::default()
    })
}

/// A new effect running `update`, due to run.
pub(super) fn new_effect(update: impl FnMut() + 'static) -> Id {
    effect_node(Rc::new(RefCell::new(update)))
}

// The nodes of effects and memos are made by functions that are not generic and not inlined:
// the generic callers (one per closure type) only box their closure, rather than each
// carrying a copy of the node's construction, which a module would download and compile once
// per effect and memo.

/// An effect's node, due to run.
#[inline(never)]
fn effect_node(run: Rc<RefCell<dyn FnMut()>>) -> Id {
    insert(Node {
        run: Run::Effect(run),
        state: State::Dirty,
        ..Node::default()
    })
}

/// A memo's node, with an empty value cell, due to compute.
#[inline(never)]
pub(super) fn memo_node(compute: Rc<dyn Fn(&Cell) -> bool>) -> Id {
    insert(Node {
        value: Some(Rc::new(RefCell::new(None))),
        run: Run::Memo(compute),
        state: State::Dirty,
        ..Node::default()
    })
}
