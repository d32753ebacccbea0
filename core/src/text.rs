//! Text put together piece by piece, without the standard library's formatting.
//!
//! Why: `format!`, `write!` and `Display` bring `core::fmt` into the widget's download (its
//! argument walker, padding, a `Display` impl per type a message reaches), kilobytes that here
//! only ever join strings and write integers. [`cat!`](crate::cat) joins [`Piece`]s instead, and
//! every integer is written by one digit loop ([`push_digits`]), the one JSON numbers use too.

/// Something that appends its text to a `String`.
pub trait Piece {
    /// Appends the text to `out`.
    fn put(&self, out: &mut String);
}

/// The pieces' texts joined into a new `String`: `cat!["Synced: ", n, " credits"]`. Integers
/// read as `{}` writes them; anything else that is a [`Piece`] goes in as its text.
#[macro_export]
macro_rules! cat {
    () => {
        ::std::string::String::new()
    };
    ($($piece:expr),+ $(,)?) => {{
        let mut out = ::std::string::String::new();
        $( $crate::text::Piece::put(&$piece, &mut out); )*
        out
    }};
}

/// The decimal digits of `n`, at least `width` of them (zeros in front): `{:0width$}` of a
/// non-negative number.
pub fn push_digits(out: &mut String, n: u64, width: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut n = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for _ in digits.len() - at..width {
        out.push('0');
    }
    out.extend(digits[at..].iter().map(|&d| char::from(d)));
}

/// The last `width` hexadecimal digits of `n`, lower case, zeros in front: `{:016x}` is
/// `push_hex(out, n, 16)`.
pub fn push_hex(out: &mut String, n: u64, width: u32) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for i in (0..width).rev() {
        let nibble = n.checked_shr(4 * i).unwrap_or(0) & 15;
        out.push(char::from(HEX[nibble as usize]));
    }
}

/// `n` with at least `width` digits, zeros in front (`{:02}` is `zero_padded(n, 2)`), as a
/// [`Piece`].
pub fn zero_padded(n: u64, width: usize) -> ZeroPadded {
    ZeroPadded { n, width }
}

/// See [`zero_padded`].
#[derive(Clone, Copy)]
pub struct ZeroPadded {
    n: u64,
    width: usize,
}

impl Piece for ZeroPadded {
    fn put(&self, out: &mut String) {
        push_digits(out, self.n, self.width);
    }
}

/// `n` as sixteen lower-case hexadecimal digits, as `{:016x}` writes it.
pub fn hex16(n: u64) -> String {
    let mut out = String::with_capacity(16);
    push_hex(&mut out, n, 16);
    out
}

impl Piece for str {
    fn put(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl Piece for String {
    fn put(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl Piece for char {
    fn put(&self, out: &mut String) {
        out.push(*self);
    }
}

impl Piece for bool {
    fn put(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

impl<T: Piece + ?Sized> Piece for &T {
    fn put(&self, out: &mut String) {
        (**self).put(out);
    }
}

impl Piece for u64 {
    fn put(&self, out: &mut String) {
        push_digits(out, *self, 1);
    }
}

impl Piece for i64 {
    fn put(&self, out: &mut String) {
        if *self < 0 {
            out.push('-');
        }
        push_digits(out, self.unsigned_abs(), 1);
    }
}

/// The narrower integers go through the widest of their sign, so there is one loop.
macro_rules! widened {
    ($($narrow:ty => $wide:ty),*) => {$(
        impl Piece for $narrow {
            fn put(&self, out: &mut String) {
                // Lossless: the platforms the widget runs on have `usize` of 64 bits at most.
                (*self as $wide).put(out);
            }
        }
    )*};
}

widened!(u8 => u64, u16 => u64, u32 => u64, usize => u64, i8 => i64, i16 => i64, i32 => i64, isize => i64);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn joins_pieces_of_every_kind() {
        let owned = String::from("owned");
        let borrowed: &str = "borrowed";
        assert_eq!(
            cat!["a ", owned, ' ', borrowed, " ", &owned, " ", 7u8, -3i32, true, false],
            "a owned borrowed owned 7-3truefalse"
        );
        assert_eq!(cat![], "");
        assert_eq!(cat!["trailing comma",], "trailing comma");
    }

    #[test]
    fn integers_read_as_display_writes_them_at_the_edges() {
        macro_rules! alike {
            ($($n:expr),*) => {$( assert_eq!(cat![$n], format!("{}", $n)); )*};
        }
        alike!(0u64, u64::MAX, u32::MAX, u16::MAX, u8::MAX, usize::MAX);
        alike!(
            0i64,
            i64::MAX,
            i64::MIN,
            -1i64,
            i32::MIN,
            i16::MIN,
            i8::MIN,
            isize::MIN
        );
    }

    #[test]
    fn padding_and_hex_at_the_edges() {
        assert_eq!(cat![zero_padded(0, 2)], "00");
        assert_eq!(cat![zero_padded(5, 2)], "05");
        assert_eq!(cat![zero_padded(59, 2)], "59");
        assert_eq!(cat![zero_padded(123, 2)], "123");
        assert_eq!(cat![zero_padded(7, 3)], "007");
        assert_eq!(cat![zero_padded(0, 0)], "0");
        assert_eq!(cat![zero_padded(u64::MAX, 25)], format!("{:025}", u64::MAX));
        assert_eq!(hex16(0), "0000000000000000");
        assert_eq!(hex16(u64::MAX), "ffffffffffffffff");
        assert_eq!(hex16(0xabc), format!("{:016x}", 0xabc));
        let mut two = String::new();
        push_hex(&mut two, 0x1f, 2);
        assert_eq!(two, "1f");
    }

    proptest! {
        #[test]
        fn integers_match_std(u in any::<u64>(), i in any::<i64>(), s in any::<i32>(), w in any::<u16>()) {
            prop_assert_eq!(cat![u], u.to_string());
            prop_assert_eq!(cat![i], i.to_string());
            prop_assert_eq!(cat![s], s.to_string());
            prop_assert_eq!(cat![w], w.to_string());
        }

        #[test]
        fn padding_matches_std(n in any::<u64>(), small in 0u64..1000) {
            prop_assert_eq!(cat![zero_padded(n, 2)], format!("{n:02}"));
            prop_assert_eq!(cat![zero_padded(small, 2)], format!("{small:02}"));
            prop_assert_eq!(cat![zero_padded(small, 3)], format!("{small:03}"));
            prop_assert_eq!(hex16(n), format!("{n:016x}"));
        }
    }
}
