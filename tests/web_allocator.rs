//! The modules' allocator in a real browser's wasm memory: aligned blocks that never overlap,
//! blocks given back and taken again, contents kept when a block moves, and a clear refusal
//! (a null pointer, never a wrong block) for what it cannot give.
#![cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]

use std::alloc::{GlobalAlloc, Layout};

use credit_gauge::allocator::SizeClasses;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn layout(size: usize, align: usize) -> Layout {
    Layout::from_size_align(size, align).unwrap()
}

/// Fills a block with `byte`.
unsafe fn fill(ptr: *mut u8, size: usize, byte: u8) {
    unsafe { std::ptr::write_bytes(ptr, byte, size) }
}

/// Whether every byte of a block is `byte`.
unsafe fn holds(ptr: *const u8, size: usize, byte: u8) -> bool {
    unsafe { std::slice::from_raw_parts(ptr, size) }
        .iter()
        .all(|&b| b == byte)
}

#[wasm_bindgen_test]
fn blocks_are_aligned_apart_and_reused_once_given_back() {
    // Its own heap beside the test's allocator: each grows the memory where it ends.
    let heap = SizeClasses::new();
    let shapes = [
        (1, 1),
        (7, 1),
        (8, 8),
        (9, 4),
        (24, 8),
        (100, 16),
        (1000, 8),
        (4096, 4096),
        (5000, 64),
        (70_000, 8),
        (3, 2),
        (200_000, 8),
    ];
    let mut blocks = Vec::new();
    for round in 0..3 {
        for (i, &(size, align)) in shapes.iter().enumerate() {
            let l = layout(size, align);
            let ptr = unsafe { heap.alloc(l) };
            assert!(!ptr.is_null(), "{size} bytes aligned to {align}");
            assert_eq!(ptr as usize % align, 0, "{size} bytes aligned to {align}");
            let byte = (round * shapes.len() + i) as u8;
            unsafe { fill(ptr, size, byte) };
            blocks.push((ptr, l, byte));
        }
    }
    // Every block still holds its own bytes: none was handed out twice or overlaps another.
    for &(ptr, l, byte) in &blocks {
        assert!(unsafe { holds(ptr, l.size(), byte) }, "{l:?}");
    }
    // A block given back is the next of its size handed out.
    let (ptr, l, _) = blocks.swap_remove(4);
    unsafe { heap.dealloc(ptr, l) };
    let again = unsafe { heap.alloc(layout(20, 8)) };
    assert_eq!(again, ptr, "24 and 20 bytes are one class");
    // And a zeroed block is zeroed, even one given back with bytes in it.
    unsafe { fill(again, 20, 0xAB) };
    unsafe { heap.dealloc(again, layout(20, 8)) };
    let zeroed = unsafe { heap.alloc_zeroed(layout(32, 8)) };
    assert_eq!(zeroed, again);
    assert!(unsafe { holds(zeroed, 32, 0) });
    for &(ptr, l, byte) in &blocks {
        assert!(unsafe { holds(ptr, l.size(), byte) }, "{l:?} after reuse");
        unsafe { heap.dealloc(ptr, l) };
    }
}

#[wasm_bindgen_test]
fn a_block_keeps_its_contents_as_it_grows_and_shrinks() {
    let heap = SizeClasses::new();
    let mut l = layout(10, 1);
    let mut ptr = unsafe { heap.alloc(l) };
    unsafe { fill(ptr, 10, 7) };
    // Within its class it stays where it is.
    let same = unsafe { heap.realloc(ptr, l, 16) };
    assert_eq!(same, ptr);
    l = layout(16, 1);
    unsafe { fill(ptr, 16, 7) };
    for size in [17, 300, 66_000, 1_500_000] {
        ptr = unsafe { heap.realloc(ptr, l, size) };
        assert!(!ptr.is_null());
        assert!(unsafe { holds(ptr, l.size(), 7) }, "grown to {size}");
        unsafe { fill(ptr, size, 7) };
        l = layout(size, 1);
    }
    ptr = unsafe { heap.realloc(ptr, l, 5) };
    assert!(unsafe { holds(ptr, 5, 7) }, "shrunk");
    unsafe { heap.dealloc(ptr, layout(5, 1)) };
}

#[wasm_bindgen_test]
fn what_it_cannot_give_is_a_null_pointer() {
    let heap = SizeClasses::new();
    // An alignment beyond what its blocks keep.
    assert!(unsafe { heap.alloc(layout(16, 8192)) }.is_null());
    // And it still gives what it can afterwards.
    let ptr = unsafe { heap.alloc(layout(64, 8)) };
    assert!(!ptr.is_null());
    unsafe { heap.dealloc(ptr, layout(64, 8)) };
}
