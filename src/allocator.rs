//! The wasm modules' allocator: blocks of power-of-two sizes, each size with a list of the
//! blocks given back, which the next request of that size takes. A few hundred bytes of code
//! where a general allocator brings kilobytes; the price is up to half of a block unused, which
//! a widget's small and short-lived values can afford.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::UnsafeCell;

/// Blocks of 8 bytes (class 3) to 2 GiB (class 31).
const CLASSES: usize = 32;
/// Blocks are aligned to their size, up to this: enough for any alignment Rust asks of them.
const MAX_ALIGN: usize = 4096;
const PAGE: usize = 65536;

pub struct SizeClasses(UnsafeCell<Heap>);

struct Heap {
    /// The first block given back of each class; each block holds the address of the next.
    free: [usize; CLASSES],
    /// Memory not yet handed out: from `next` to `end`.
    next: usize,
    end: usize,
}

impl Default for SizeClasses {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: the modules run on one thread (`lib.rs` only installs it without `atomics`).
unsafe impl Sync for SizeClasses {}

impl SizeClasses {
    pub const fn new() -> SizeClasses {
        SizeClasses(UnsafeCell::new(Heap {
            free: [0; CLASSES],
            next: 0,
            end: 0,
        }))
    }
}

/// The class of blocks for `layout`: the smallest power of two that holds it and its alignment.
fn class(layout: Layout) -> usize {
    let size = layout.size().max(layout.align()).max(8);
    (usize::BITS - (size - 1).leading_zeros()) as usize
}

impl Heap {
    /// Gives back the block at `at` of class `class`.
    unsafe fn give_back(&mut self, at: usize, class: usize) {
        // SAFETY: the block is the caller's to give, at least a word long and aligned to one.
        unsafe { *(at as *mut usize) = self.free[class] };
        self.free[class] = at;
    }

    /// A new block of class `class` from memory not yet handed out, growing the memory when
    /// needed; 0 when the memory cannot grow.
    unsafe fn carve(&mut self, class: usize) -> usize {
        let size = 1usize << class;
        let align = size.min(MAX_ALIGN);
        // The gap before an aligned place becomes smaller blocks, each aligned to its size.
        while self.next % align != 0 && self.next < self.end {
            let piece = self.next & self.next.wrapping_neg();
            // SAFETY: `piece` bytes at `next` are unused memory of ours, aligned to `piece`.
            unsafe { self.give_back(self.next, piece.trailing_zeros() as usize) };
            self.next += piece;
        }
        if self.end - self.next < size {
            let pages = (size + align).div_ceil(PAGE);
            let before = core::arch::wasm32::memory_grow(0, pages);
            if before == usize::MAX {
                return 0;
            }
            let start = before * PAGE;
            if start != self.end {
                // Not next to ours (the first growth): start there.
                self.next = start;
            }
            self.end = start + pages * PAGE;
            // SAFETY: as above, now with room.
            return unsafe { self.carve(class) };
        }
        let at = self.next;
        self.next += size;
        at
    }
}

unsafe impl GlobalAlloc for SizeClasses {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let class = class(layout);
        if class >= CLASSES || layout.align() > MAX_ALIGN {
            return std::ptr::null_mut();
        }
        // SAFETY: one thread, and no call below comes back here.
        let heap = unsafe { &mut *self.0.get() };
        let head = heap.free[class];
        if head != 0 {
            // SAFETY: a block given back holds the address of the next one.
            heap.free[class] = unsafe { *(head as *const usize) };
            return head as *mut u8;
        }
        // SAFETY: as above.
        unsafe { heap.carve(class) as *mut u8 }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: one thread; `ptr` is a block of `layout`'s class, which the caller gives back.
        unsafe { (*self.0.get()).give_back(ptr as usize, class(layout)) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's layout and size are valid (GlobalAlloc's contract).
        let new = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        if class(new) == class(layout) {
            return ptr;
        }
        // SAFETY: as above.
        let moved = unsafe { self.alloc(new) };
        if !moved.is_null() {
            // SAFETY: both blocks hold at least the smaller size, and do not overlap.
            unsafe {
                std::ptr::copy_nonoverlapping(ptr, moved, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
        }
        moved
    }
}
