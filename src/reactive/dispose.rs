//! How a node goes: what it owns first (effects, memos and owners, then its cleanups, then the
//! values), then the node itself, unlinked from what it read and what read it.

use super::graph::{runtime, Id, Run};

/// Disposes of what `id` owns (its children and their nodes) and runs its cleanups.
pub(super) fn dispose_children(id: Id) {
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
pub(super) fn dispose(id: Id) {
    dispose_children(id);
    let node = runtime(|rt| {
        rt.forget_sources(id);
        let node = rt.entries.get_mut(id.index as usize).and_then(|e| {
            (e.generation == id.generation)
                .then(|| e.node.take())
                .flatten()
        })?;
        // A place whose generation has run out is not reused: a handle to the node that was
        // there could otherwise read a new node as its own, of another type (see `Id`).
        if id.generation < u32::MAX {
            rt.free.push(id.index);
        }
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
