//! The widget's reactive cells: signals, memos, effects, stored values, and the owners that
//! dispose of them.
//!
//! Leptos's reactive graph compiles its machinery once per value type, which came to a quarter
//! of the widget's code. Here the graph is type-erased: one runtime per thread keeps every node
//! in an arena, and a value type adds only the few lines that downcast it.
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

use std::any::Any;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::marker::PhantomData;
use std::rc::Rc;

/// A node's value, shared with the readers of the moment so that none holds the runtime.
type Cell = Rc<RefCell<Option<Box<dyn Any>>>>;

/// A node: its place in the arena and that place's generation (a reused place is another node).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Id {
    index: u32,
    generation: u32,
}

/// Whether a memo or an effect is up to date: `Check` when something it read may have changed
/// (a memo upstream), `Dirty` when something it read did.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
enum State {
    #[default]
    Clean,
    Check,
    Dirty,
}

#[derive(Clone, Default)]
enum Run {
    /// A signal, a stored value or an owner.
    #[default]
    Nothing,
    /// Recomputes the memo's value in its cell; says whether it changed.
    Memo(Rc<dyn Fn(&Cell) -> bool>),
    Effect(Rc<RefCell<dyn FnMut()>>),
}

#[derive(Default)]
struct Node {
    value: Option<Cell>,
    run: Run,
    state: State,
    sources: Vec<Id>,
    observers: Vec<Id>,
    parent: Option<Id>,
    children: Vec<Id>,
    cleanups: Vec<Box<dyn FnOnce()>>,
}

struct Entry {
    generation: u32,
    node: Option<Node>,
}

#[derive(Default)]
struct Runtime {
    entries: Vec<Entry>,
    free: Vec<u32>,
    /// The memo or effect running now: what it reads, it depends on.
    observer: Option<Id>,
    /// Where nodes made now belong.
    owner: Option<Id>,
    /// Effects due to run, in the order they became due.
    queue: VecDeque<Id>,
    flush_scheduled: bool,
    /// A flush stopped at `MAX_RUNS`: no flush runs until the timeout that resumes them.
    paused: bool,
}

thread_local! {
    static RUNTIME: RefCell<Runtime> = RefCell::new(Runtime::default());
}

/// Runs `f` on the runtime. `f` never calls code of a node (that could come back here).
fn runtime<R>(f: impl FnOnce(&mut Runtime) -> R) -> R {
    RUNTIME.with(|rt| f(&mut rt.borrow_mut()))
}

impl Runtime {
    fn node(&mut self, id: Id) -> Option<&mut Node> {
        let entry = self.entries.get_mut(id.index as usize)?;
        if entry.generation != id.generation {
            return None;
        }
        entry.node.as_mut()
    }

    /// Adds a node, owned by the current owner.
    fn insert(&mut self, mut node: Node) -> Id {
        node.parent = self.owner.filter(|&o| self.node(o).is_some());
        let id = match self.free.pop() {
            Some(index) => {
                let entry = &mut self.entries[index as usize];
                entry.generation = entry.generation.wrapping_add(1);
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
    fn mark(&mut self, id: Id, state: State) {
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
    fn forget_sources(&mut self, id: Id) {
        let sources = self.node(id).map(|n| std::mem::take(&mut n.sources));
        for s in sources.unwrap_or_default() {
            if let Some(source) = self.node(s) {
                source.observers.retain(|&o| o != id);
            }
        }
    }
}

fn insert(node: Node) -> Id {
    runtime(|rt| rt.insert(node))
}

fn is_alive(id: Id) -> bool {
    runtime(|rt| rt.node(id).is_some())
}

/// The value cell of a live node.
fn cell(id: Id) -> Option<Cell> {
    runtime(|rt| rt.node(id).and_then(|n| n.value.clone()))
}

/// Makes the running memo or effect depend on `id`.
fn track(id: Id) {
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
fn written(id: Id) {
    runtime(|rt| {
        let observers = rt.node(id).map(|n| n.observers.clone()).unwrap_or_default();
        for o in observers {
            rt.mark(o, State::Dirty);
        }
    });
    schedule_flush();
}

/// Runs the effects due in a microtask, once for all the writes of this turn.
fn schedule_flush() {
    let schedule = runtime(|rt| {
        let schedule = !rt.queue.is_empty() && !rt.flush_scheduled && !rt.paused;
        rt.flush_scheduled |= schedule;
        schedule
    });
    // Natively (the unit tests below) nothing runs by itself: the tests flush.
    if schedule && cfg!(target_arch = "wasm32") {
        wasm_bindgen_futures::spawn_local(async { flush() });
    }
}

/// Runs the effects due, and those their writes make due.
fn flush() {
    // A flush starts from the top: nothing runs, nothing owns, whatever a panicked run left.
    let paused = runtime(|rt| {
        rt.observer = None;
        rt.owner = None;
        rt.flush_scheduled = false;
        rt.paused
    });
    if paused {
        return;
    }
    // One at a time off the queue: what a failed run leaves stays queued for the next flush.
    for _ in 0..MAX_RUNS {
        let Some(id) = runtime(|rt| rt.queue.pop_front()) else {
            return;
        };
        refresh(id);
    }
    // Effects that keep waking each other: the rest waits for a later task (no microtask
    // flush runs meanwhile), so the page gets its events and frames in between.
    runtime(|rt| rt.paused = true);
    if cfg!(target_arch = "wasm32") {
        if let Some(window) = web_sys::window() {
            let resume = wasm_bindgen::closure::Closure::once_into_js(resume);
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                wasm_bindgen::JsCast::unchecked_ref(&resume),
                0,
            );
        }
    }
}

/// Runs the effects a paused flush left.
fn resume() {
    runtime(|rt| rt.paused = false);
    flush();
}

/// Effect runs in one flush before it lets the page breathe.
const MAX_RUNS: usize = 100_000;

/// Brings a memo or an effect up to date: recomputes it if something it read changed.
fn refresh(id: Id) {
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

fn recompute(id: Id) {
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

/// Disposes of what `id` owns (its children and their nodes) and runs its cleanups.
fn dispose_children(id: Id) {
    let Some((children, cleanups)) = runtime(|rt| {
        rt.node(id).map(|n| {
            (
                std::mem::take(&mut n.children),
                std::mem::take(&mut n.cleanups),
            )
        })
    }) else {
        return;
    };
    // Effects, memos and owners first, then the cleanups, then the values: a cleanup can
    // still read the values made beside it, and no effect runs on a half-disposed owner.
    let (values, computations): (Vec<Id>, Vec<Id>) = runtime(|rt| {
        children.into_iter().rev().partition(|&c| {
            rt.node(c)
                .is_some_and(|n| matches!(n.run, Run::Nothing) && n.value.is_some())
        })
    });
    for child in computations {
        dispose(child);
    }
    for cleanup in cleanups {
        cleanup();
    }
    for child in values {
        dispose(child);
    }
}

/// Disposes of `id`, what it owns, and its cleanups.
fn dispose(id: Id) {
    dispose_children(id);
    let node = runtime(|rt| {
        rt.forget_sources(id);
        let node = rt.entries.get_mut(id.index as usize).and_then(|e| {
            (e.generation == id.generation)
                .then(|| e.node.take())
                .flatten()
        })?;
        rt.free.push(id.index);
        for &o in &node.observers {
            if let Some(observer) = rt.node(o) {
                observer.sources.retain(|&s| s != id);
            }
        }
        if let Some(parent) = node.parent.and_then(|p| rt.node(p)) {
            parent.children.retain(|&c| c != id);
        }
        Some(node)
    });
    // Dropped here, outside the runtime: a value may dispose of other nodes as it goes.
    drop(node);
}

#[cold]
#[track_caller]
fn gone() -> ! {
    panic!("a widget's value was read after the widget was taken off the page")
}

/// Runs `f` with `cell`'s value as a `T`.
fn read<T: 'static, R>(cell: Cell, f: impl FnOnce(&T) -> R) -> Option<R> {
    let value = cell.borrow();
    Some(f(value.as_ref()?.downcast_ref::<T>()?))
}

/// Runs `f` on `id`'s value as a `T`, to change it; `None` once disposed.
fn write<T: 'static, R>(id: Id, f: impl FnOnce(&mut T) -> R) -> Option<R> {
    let cell = cell(id)?;
    let mut value = cell.borrow_mut();
    Some(f(value.as_mut()?.downcast_mut()?))
}

/// A node holding `value`: a signal's or a stored value's.
fn value_node(value: Box<dyn Any>) -> Id {
    insert(Node {
        value: Some(Rc::new(RefCell::new(Some(value)))),
        ..Node::default()
    })
}

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

    /// Reads the value, and the running memo or effect depends on it.
    #[track_caller]
    pub fn with<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        track(self.id);
        self.with_untracked(f)
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
        self.update(|v| *v = value)
    }

    /// Makes the running memo or effect depend on the value without reading it.
    pub fn track(&self) {
        track(self.id)
    }
}

impl<T: Clone + 'static> RwSignal<T> {
    #[track_caller]
    pub fn get(&self) -> T {
        self.with(T::clone)
    }

    #[track_caller]
    pub fn get_untracked(&self) -> T {
        self.with_untracked(T::clone)
    }

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
                compute(before.as_ref().and_then(|v| v.downcast_ref()))
            };
            let mut value = cell.borrow_mut();
            if value.as_ref().and_then(|v| v.downcast_ref()) == Some(&new) {
                return false;
            }
            *value = Some(Box::new(new));
            true
        };
        let id = insert(Node {
            value: Some(Rc::new(RefCell::new(None))),
            run: Run::Memo(Rc::new(compute)),
            state: State::Dirty,
            ..Node::default()
        });
        Memo::from_id(id)
    }

    /// Reads the value (computed first if out of date); the running memo or effect depends
    /// on it.
    #[track_caller]
    pub fn with<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        track(self.id);
        self.with_untracked(f)
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

impl<T: Clone + PartialEq + 'static> Memo<T> {
    #[track_caller]
    pub fn get(&self) -> T {
        self.with(T::clone)
    }

    #[track_caller]
    pub fn get_untracked(&self) -> T {
        self.with_untracked(T::clone)
    }
}

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

fn new_effect(update: impl FnMut() + 'static) -> Id {
    let run: Rc<RefCell<dyn FnMut()>> = Rc::new(RefCell::new(update));
    insert(Node {
        run: Run::Effect(run),
        state: State::Dirty,
        ..Node::default()
    })
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
        self.update_value(|v| *v = value)
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
    enum Place<F> {
        Kept,
        Gone(F),
        Unowned(F),
    }
    let place = runtime(|rt| match rt.owner {
        Some(owner) => match rt.node(owner) {
            Some(node) => {
                node.cleanups.push(Box::new(cleanup));
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
    let _ = wasm_bindgen_futures::JsFuture::from(turn).await;
    flush();
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell as Counter;

    /// Counts an effect's runs.
    fn runs() -> Rc<Counter<u32>> {
        Rc::new(Counter::new(0))
    }

    #[test]
    fn an_effect_runs_once_for_all_the_writes_of_a_turn() {
        let owner = Owner::new();
        let a = owner.with(|| RwSignal::new(1));
        let count = runs();
        let seen = Rc::new(Counter::new(0));
        owner.with(|| {
            let (count, seen) = (count.clone(), seen.clone());
            effect(move || {
                count.set(count.get() + 1);
                seen.set(a.get());
            })
        });
        assert_eq!((count.get(), seen.get()), (1, 1), "it runs when made");
        a.set(2);
        a.update(|v| *v += 1);
        assert_eq!(count.get(), 1, "not before the microtask");
        flush();
        assert_eq!((count.get(), seen.get()), (2, 3));
        flush();
        assert_eq!(count.get(), 2, "nothing changed since");
        owner.dispose();
    }

    #[test]
    fn a_memo_tells_its_readers_only_when_its_value_changes() {
        let owner = Owner::new();
        let a = owner.with(|| RwSignal::new(1));
        let computed = runs();
        let tens = owner.with(|| {
            let computed = computed.clone();
            Memo::new(move |_| {
                computed.set(computed.get() + 1);
                a.get() / 10
            })
        });
        assert_eq!(computed.get(), 0, "computed when first read");
        let count = runs();
        owner.with(|| {
            let count = count.clone();
            effect(move || {
                tens.track();
                count.set(count.get() + 1);
            })
        });
        assert_eq!((computed.get(), count.get()), (1, 1));
        a.set(5);
        flush();
        assert_eq!((computed.get(), count.get()), (2, 1), "same tens: no run");
        a.set(15);
        flush();
        assert_eq!((computed.get(), count.get()), (3, 2));
        assert_eq!(tens.get(), 1);
        owner.dispose();
    }

    #[test]
    fn an_effect_reading_two_memos_of_one_signal_sees_them_agree() {
        let owner = Owner::new();
        let a = owner.with(|| RwSignal::new(1));
        let (double, triple) = owner.with(|| {
            (
                Memo::new(move |_| a.get() * 2),
                Memo::new(move |_| a.get() * 3),
            )
        });
        let seen = Rc::new(RefCell::new(Vec::new()));
        owner.with(|| {
            let seen = seen.clone();
            effect(move || seen.borrow_mut().push((double.get(), triple.get())))
        });
        for v in 2..5 {
            a.set(v);
            flush();
        }
        assert_eq!(*seen.borrow(), [(2, 3), (4, 6), (6, 9), (8, 12)]);
        owner.dispose();
    }

    #[test]
    fn an_effect_s_write_runs_the_effects_that_read_it_in_the_same_flush() {
        let owner = Owner::new();
        let (a, b) = owner.with(|| (RwSignal::new(0), RwSignal::new(0)));
        let seen = Rc::new(Counter::new(0));
        owner.with(|| {
            effect(move || b.set(a.get() * 2));
            let seen = seen.clone();
            effect(move || seen.set(b.get()));
        });
        flush();
        a.set(21);
        flush();
        assert_eq!(seen.get(), 42);
        owner.dispose();
    }

    #[test]
    fn a_disposed_owner_takes_its_cells_effects_and_cleanups_with_it() {
        let outside = RwSignal::new(0);
        let owner = Owner::new();
        let cleaned = runs();
        let count = runs();
        let (inside, stored) = owner.with(|| {
            let cleaned = cleaned.clone();
            on_cleanup(move || cleaned.set(cleaned.get() + 1));
            let count = count.clone();
            effect(move || {
                outside.track();
                count.set(count.get() + 1);
            });
            (RwSignal::new(String::from("kept")), StoredValue::new(7))
        });
        owner.dispose();
        assert_eq!(cleaned.get(), 1);
        assert!(inside.is_disposed() && stored.is_disposed() && owner.is_disposed());
        assert_eq!(inside.try_get_untracked(), None);
        assert_eq!(stored.try_get_value(), None);
        inside.set("ignored".into());
        stored.set_value(8);
        outside.set(1);
        flush();
        assert_eq!(count.get(), 1, "the effect went with its owner");
        // A new cell in a reused place is not the old one.
        let other = RwSignal::new(String::from("new"));
        assert_eq!(inside.try_get_untracked(), None);
        assert_eq!(other.get_untracked(), "new");
    }

    #[test]
    #[should_panic(expected = "taken off the page")]
    fn reading_a_disposed_signal_says_why_it_cannot() {
        let owner = Owner::new();
        let a = owner.with(|| RwSignal::new(1));
        owner.dispose();
        a.get_untracked();
    }

    #[test]
    fn an_effect_disposes_of_what_its_last_run_made_before_it_runs_again() {
        let owner = Owner::new();
        let a = owner.with(|| RwSignal::new(0));
        let cleaned = runs();
        let inner_runs = runs();
        owner.with(|| {
            let (cleaned, inner_runs) = (cleaned.clone(), inner_runs.clone());
            effect(move || {
                a.track();
                let cleaned = cleaned.clone();
                on_cleanup(move || cleaned.set(cleaned.get() + 1));
                let inner_runs = inner_runs.clone();
                effect(move || inner_runs.set(inner_runs.get() + 1));
            })
        });
        assert_eq!((cleaned.get(), inner_runs.get()), (0, 1));
        a.set(1);
        flush();
        assert_eq!((cleaned.get(), inner_runs.get()), (1, 2));
        owner.dispose();
        assert_eq!(cleaned.get(), 2);
    }

    #[test]
    fn a_deferred_effect_first_runs_in_the_flush() {
        let owner = Owner::new();
        let count = runs();
        owner.with(|| {
            let count = count.clone();
            effect_after(move || count.set(count.get() + 1))
        });
        assert_eq!(count.get(), 0);
        flush();
        assert_eq!(count.get(), 1);
        owner.dispose();
    }

    #[test]
    fn an_effect_that_writes_what_its_memo_reads_keeps_following_it() {
        let owner = Owner::new();
        let a = owner.with(|| RwSignal::new(0));
        let m = owner.with(|| Memo::new(move |_| a.get()));
        let seen = Rc::new(RefCell::new(Vec::new()));
        owner.with(|| {
            let seen = seen.clone();
            effect(move || {
                let v = m.get();
                seen.borrow_mut().push(v);
                if v == 1 {
                    a.set(2);
                }
            })
        });
        for v in [1, 3, 4] {
            a.set(v);
            flush();
        }
        assert_eq!(*seen.borrow(), [0, 1, 2, 3, 4]);
        owner.dispose();
    }

    #[test]
    fn a_write_by_a_nested_effect_to_what_its_parent_read_runs_the_parent_again() {
        let owner = Owner::new();
        let x = owner.with(|| RwSignal::new(0));
        let seen = Rc::new(RefCell::new(Vec::new()));
        owner.with(|| {
            let seen = seen.clone();
            effect(move || {
                let v = x.get();
                seen.borrow_mut().push(v);
                effect(move || {
                    if x.get_untracked() == 0 {
                        x.set(5);
                    }
                });
            })
        });
        flush();
        assert_eq!(*seen.borrow(), [0, 5]);
        owner.dispose();
    }

    #[test]
    fn a_cleanup_still_reads_the_values_made_beside_it() {
        let owner = Owner::new();
        let read = Rc::new(Counter::new(0));
        owner.with(|| {
            let kept = StoredValue::new(7);
            let read = read.clone();
            on_cleanup(move || read.set(kept.try_get_value().unwrap_or(0)));
        });
        owner.dispose();
        assert_eq!(read.get(), 7);
    }

    #[test]
    fn effects_run_on_after_one_of_them_panicked() {
        let owner = Owner::new();
        let a = owner.with(|| RwSignal::new(0));
        let seen = Rc::new(Counter::new(0));
        owner.with(|| {
            effect(move || {
                if a.get() == 1 {
                    panic!("a run that fails");
                }
            });
            let seen = seen.clone();
            effect(move || seen.set(a.get()));
        });
        a.set(1);
        let failed = std::panic::catch_unwind(flush);
        assert!(failed.is_err());
        assert_eq!(seen.get(), 0, "queued after the one that failed");
        // What that flush left undone stays due: the next flush runs it, with the new value.
        a.set(2);
        flush();
        assert_eq!(seen.get(), 2);
        assert!(Owner::current().is_none(), "nothing left owning");
        owner.dispose();
    }

    #[test]
    fn owner_with_is_untracked_and_a_root_owner_outlives_the_current_one() {
        let owner = Owner::new();
        let a = owner.with(|| RwSignal::new(0));
        let count = runs();
        let mut root = None;
        owner.with(|| {
            let count = count.clone();
            effect(move || {
                count.set(count.get() + 1);
                let inner = Owner::new_root();
                inner.with(|| a.get());
                root.get_or_insert(inner);
            })
        });
        a.set(1);
        flush();
        assert_eq!(count.get(), 1, "a read under `with` is not a dependency");
        owner.dispose();
    }

    #[test]
    fn a_cleanup_without_an_owner_never_runs() {
        let ran = runs();
        let r = ran.clone();
        on_cleanup(move || r.set(1));
        assert_eq!(ran.get(), 0);
    }

    #[test]
    fn effects_that_wake_each_other_pause_until_a_later_task() {
        let owner = Owner::new();
        let (a, b) = owner.with(|| (RwSignal::new(0_u64), RwSignal::new(0_u64)));
        owner.with(|| {
            effect(move || b.set(a.get() + 1));
            effect(move || a.set(b.get() + 1));
        });
        flush();
        let after_one = a.get_untracked();
        assert!(after_one > 0, "they ran");
        // A microtask flush scheduled meanwhile does nothing until the timeout resumes.
        flush();
        assert_eq!(a.get_untracked(), after_one, "paused");
        resume();
        assert!(a.get_untracked() > after_one, "resumed");
        owner.dispose();
        runtime(|rt| {
            rt.paused = false;
            rt.queue.clear();
        });
    }

    #[test]
    fn a_cleanup_under_an_owner_already_gone_runs_at_once() {
        let owner = Owner::new();
        owner.dispose();
        let ran = runs();
        let r = ran.clone();
        owner.with(|| on_cleanup(move || r.set(1)));
        assert_eq!(ran.get(), 1);
    }
}
