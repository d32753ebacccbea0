//! The runtime's behaviour, natively: the tests flush where a page's microtask would.

use std::cell::RefCell;
use std::rc::Rc;

use super::cells::*;
use super::flush::{flush, resume};
use super::graph::runtime;
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
fn a_stale_handle_never_reads_the_value_of_another_type_in_its_place() {
    let owner = Owner::new();
    let old = owner.with(|| RwSignal::new(String::from("old")));
    owner.dispose();
    // Its place is reused by a value of another type: the stale handle finds nothing.
    let other = RwSignal::new(7_u64);
    let another = RwSignal::new(vec![1_u8, 2]);
    assert_eq!(old.try_get_untracked(), None);
    old.set("ignored".into());
    old.update(|s| s.push('!'));
    assert_eq!(
        (other.get_untracked(), another.get_untracked()),
        (7, vec![1, 2])
    );
}

#[test]
fn a_place_whose_generations_ran_out_is_never_reused() {
    let owner = Owner::new();
    owner.with(|| RwSignal::new(0_u8));
    owner.dispose();
    // Every free place one generation from its last.
    runtime(|rt| {
        for &index in &rt.free {
            rt.entries[index as usize].generation = u32::MAX - 1;
        }
    });
    let owner = Owner::new();
    let last = owner.with(|| RwSignal::new(String::from("last")));
    assert!(runtime(|rt| rt.free.is_empty()), "both places were taken");
    owner.dispose();
    assert!(
        runtime(|rt| rt.free.is_empty()),
        "a place at its last generation is not freed"
    );
    let places = runtime(|rt| rt.entries.len());
    let other = RwSignal::new(vec![7_u64]);
    assert_eq!(runtime(|rt| rt.entries.len()), places + 1, "a new place");
    assert_eq!(last.try_get_untracked(), None);
    assert_eq!(other.get_untracked(), vec![7]);
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
