//! Shared decoding and checking code of the `simd-activations` fuzz targets
//! (`fuzz_targets/unary.rs`, `gated.rs`, `contract.rs`).
//!
//! - [`Reader`] turns the fuzzer's bytes into small parameters (op index, offsets, widths) and
//!   element values whose bit patterns come straight from the bytes, so NaNs (both signs, quiet
//!   and signalling payloads), infinities, subnormals and signed zeros all occur.
//! - [`Guarded`] places a slice at a chosen element offset from a 64-byte boundary inside a
//!   larger buffer whose other elements hold a guard pattern, to catch writes outside the slice.
//! - [`Bits`], [`assert_same_bits`] and [`show`] compare and print results bit for bit.
//! - [`gated_within`] is the gated ops' error budget (the rule of `tests/gated.rs`).
//! - [`catch_panic`] runs a call that may panic under libFuzzer (whose panic hook aborts).
//!
//! Every check failure is a panic whose message names the op, the ISA, the element and the
//! bits involved; libFuzzer records the input as a crash.

use std::cell::Cell;
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Once, OnceLock};

use simd_activations::catalogue::GatedSpec;
use simd_activations::ulp::{ulp_distance_in, ulp_of_in};
use simd_activations::{Element, Isa, Kernels, bf16, f16};

/// Most elements (of input, per operand) one fuzz input is decoded into.
pub const MAX_LEN: usize = 4096;

/// A cursor over the fuzz input: fixed-size parameters first, then the rest as element values.
/// Reading past the end gives zeros, so every input (even an empty one) decodes.
pub struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader at the start of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Reader { data }
    }

    /// The next byte, or 0 past the end.
    pub fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }

    /// The next two bytes as a little-endian `u16` (missing bytes read as 0).
    pub fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.byte(), self.byte()])
    }

    /// Everything not read yet.
    pub fn rest(self) -> &'a [u8] {
        self.data
    }
}

/// `bytes` as little-endian f32 bit patterns (at most `max` of them; a partial last chunk is
/// dropped).
pub fn f32s(bytes: &[u8], max: usize) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .take(max)
        .map(|c| f32::from_bits(u32::from_le_bytes([c[0], c[1], c[2], c[3]])))
        .collect()
}

/// `bytes` as little-endian 16-bit patterns of `T` (at most `max` of them).
pub fn halves<T: Half>(bytes: &[u8], max: usize) -> Vec<T> {
    bytes
        .chunks_exact(2)
        .take(max)
        .map(|c| T::from_bits16(u16::from_le_bytes([c[0], c[1]])))
        .collect()
}

/// Bit-level access to the element types, for bitwise comparisons and guard patterns.
pub trait Bits: Element {
    /// A pattern no kernel call may leave outside the slice it was given.
    const GUARD: Self;
    /// A pattern output slices start with, before a kernel writes them.
    const UNWRITTEN: Self;
    /// The sign bit.
    const SIGN: u32;
    /// The quiet bit of a NaN.
    const QUIET: u32;
    /// The positive quiet NaN with an empty payload (f32 `0x7FC0_0000` stored in the type):
    /// what a NaN made from numbers (`0 · inf`) must be, on every ISA (README "Special values").
    const CANONICAL_NAN: u32;

    /// The raw bits (zero-extended for the 16-bit types).
    fn bits(self) -> u32;

    /// Whether the value is a NaN.
    fn is_nan_value(self) -> bool {
        self.to_f32().is_nan()
    }
}

impl Bits for f32 {
    const GUARD: f32 = f32::from_bits(0xA5A5_A5A5);
    const UNWRITTEN: f32 = f32::from_bits(0x7FA5_A5A5);
    const SIGN: u32 = 0x8000_0000;
    const QUIET: u32 = 0x0040_0000;
    const CANONICAL_NAN: u32 = 0x7FC0_0000;

    fn bits(self) -> u32 {
        self.to_bits()
    }
}

impl Bits for bf16 {
    const GUARD: bf16 = bf16::from_bits(0xA5A5);
    const UNWRITTEN: bf16 = bf16::from_bits(0x7FA5);
    const SIGN: u32 = 0x8000;
    const QUIET: u32 = 0x0040;
    const CANONICAL_NAN: u32 = 0x7FC0;

    fn bits(self) -> u32 {
        u32::from(self.to_bits())
    }
}

impl Bits for f16 {
    const GUARD: f16 = f16::from_bits(0xA5A5);
    const UNWRITTEN: f16 = f16::from_bits(0x7DA5);
    const SIGN: u32 = 0x8000;
    const QUIET: u32 = 0x0200;
    const CANONICAL_NAN: u32 = 0x7E00;

    fn bits(self) -> u32 {
        u32::from(self.to_bits())
    }
}

/// The 16-bit element types, built from their bit patterns.
pub trait Half: Bits {
    /// The value with bit pattern `b`.
    fn from_bits16(b: u16) -> Self;
}

impl Half for bf16 {
    fn from_bits16(b: u16) -> Self {
        bf16::from_bits(b)
    }
}

impl Half for f16 {
    fn from_bits16(b: u16) -> Self {
        f16::from_bits(b)
    }
}

/// A value with its bit pattern, for failure messages: `-1.5e0 (0xbfc00000)`.
pub struct Show<T>(pub T);

impl<T: Bits> fmt::Display for Show<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = if T::SIGN == 0x8000 { 4 } else { 8 };
        write!(
            f,
            "{:e} ({} 0x{:0width$x})",
            self.0.to_f32(),
            T::NAME,
            self.0.bits()
        )
    }
}

/// [`Show`] of `v`.
pub fn show<T: Bits>(v: T) -> Show<T> {
    Show(v)
}

/// Panics unless `got` has the bits of `want` element for element; `what` says which call
/// `got` came from, `inputs(i)` describes the inputs of element `i`.
pub fn assert_same_bits<T: Bits>(
    what: &dyn fmt::Display,
    want: &[T],
    got: &[T],
    inputs: impl Fn(usize) -> String,
) {
    assert_eq!(
        want.len(),
        got.len(),
        "fuzz harness: compared slices differ in length"
    );
    if let Some(i) = want.iter().zip(got).position(|(a, b)| a.bits() != b.bits()) {
        panic!(
            "{what}: element {i} of {} (input {}): got {}, expected {}",
            want.len(),
            inputs(i),
            show(got[i]),
            show(want[i])
        );
    }
}

/// The `Par::with_min_len` values the targets pick from: 0 splits every slice of 128 elements
/// or more (the crate's floor), the others split at other chunk lengths or run serially.
pub const PAR_MIN_LENS: [usize; 5] = [0, 1, 130, 700, 5000];

/// Most elements a SIMD ISA is checked against one-element calls for (each such call runs a
/// whole zero-padded block, up to 32 lanes: checking every element would cost a block per
/// element).
pub const ONE_BY_ONE_SIMD: usize = 64;

/// The elements of an `n`-element result to compare with one-element calls on `isa`: all of
/// them on `Scalar` (one lane, cheap; with cross-ISA identity this covers every ISA), at most
/// [`ONE_BY_ONE_SIMD`] spread evenly from the first to the last on the SIMD ISAs (which run the
/// one-element tail path this way).
pub fn one_by_one(isa: Isa, n: usize) -> Vec<usize> {
    if isa == Isa::Scalar || n <= ONE_BY_ONE_SIMD {
        return (0..n).collect();
    }
    let last = ONE_BY_ONE_SIMD - 1;
    (0..=last).map(|j| j * (n - 1) / last).collect()
}

/// Kernels for every ISA this CPU has, `Scalar` first (built once per process).
pub fn kernels() -> &'static [Kernels] {
    static ALL: OnceLock<Vec<Kernels>> = OnceLock::new();
    ALL.get_or_init(|| {
        Isa::available()
            .into_iter()
            .map(|isa| Kernels::new(isa).expect("an available ISA builds"))
            .collect()
    })
}

/// Elements of guard before the slice of a [`Guarded`] buffer (and at least as many after it).
const GUARD_LEN: usize = 64;

/// A slice of `len` elements starting `offset % 32` elements past a 64-byte boundary, inside a
/// buffer whose other elements hold [`Bits::GUARD`].
pub struct Guarded<T> {
    buf: Vec<T>,
    start: usize,
    len: usize,
}

impl<T: Bits> Guarded<T> {
    /// A guarded slice holding a copy of `values`.
    pub fn new(values: &[T], offset: usize) -> Self {
        let len = values.len();
        let mut buf = vec![T::GUARD; len + 2 * GUARD_LEN + 64];
        // Elements up to the first 64-byte boundary (under 32 for 2-byte elements).
        let boundary = buf.as_ptr().align_offset(64).min(31);
        let start = boundary + GUARD_LEN + offset % 32;
        buf[start..start + len].copy_from_slice(values);
        Guarded { buf, start, len }
    }

    /// A guarded slice of `len` elements that all hold [`Bits::UNWRITTEN`] (an output).
    pub fn output(len: usize, offset: usize) -> Self {
        Self::new(&vec![T::UNWRITTEN; len], offset)
    }

    /// The slice.
    pub fn get(&self) -> &[T] {
        &self.buf[self.start..self.start + self.len]
    }

    /// The slice, writable.
    pub fn get_mut(&mut self) -> &mut [T] {
        &mut self.buf[self.start..self.start + self.len]
    }

    /// Panics (naming `what`) if any element outside the slice lost its guard pattern.
    pub fn check_guards(&self, what: &dyn fmt::Display) {
        let end = self.start + self.len;
        let changed = self
            .buf
            .iter()
            .enumerate()
            .find(|&(i, v)| (i < self.start || i >= end) && v.bits() != T::GUARD.bits());
        if let Some((i, v)) = changed {
            let at = if i < self.start {
                format!("{} elements before the slice", self.start - i)
            } else {
                format!("{} elements after the slice", i - end + 1)
            };
            panic!(
                "{what}: wrote outside its {}-element output slice ({at}): {}",
                self.len,
                show(*v)
            );
        }
    }
}

/// Whether `got` is what an op must give for the NaN input `nan` passed through (README
/// "Special values" and "Element types"): in f32 the input's own bits, signalling NaNs
/// included; in bf16 and f16, where the stores round from f32, a quiet NaN with the input's
/// sign.
pub fn nan_kept<T: Bits>(nan: T, got: T) -> bool {
    if T::SIGN == f32::SIGN {
        got.bits() == nan.bits()
    } else {
        got.is_nan_value()
            && got.bits() & T::QUIET != 0
            && got.bits() & T::SIGN == nan.bits() & T::SIGN
    }
}

/// Smallest positive subnormal f32, 2^-149.
pub const F32_TINY: f64 = 1.401_298_464_324_817e-45;

/// The gated ops' error budget, as `tests/gated.rs` states it: `got` is within `budget` ULP of
/// `T` of the f64 reference `op(gate, up)`; where the activation itself (`op(gate, 1)`) is not
/// a normal f32, the absolute error may also reach `budget` ULP of `T` plus `|up| · 2^-149` (the
/// activation's own absolute error in the f32 lanes, scaled by `up`). Returns whether it holds
/// and the error in ULP.
pub fn gated_within<T: Element>(
    op: &GatedSpec,
    gate: f32,
    up: f32,
    got: T,
    budget: f64,
) -> (bool, f64) {
    let exact = (op.reference)(f64::from(gate), f64::from(up));
    let err = ulp_distance_in(got, exact);
    if err <= budget {
        return (true, err);
    }
    let activation = (op.reference)(f64::from(gate), 1.0);
    if activation.abs() >= f64::from(f32::MIN_POSITIVE) {
        return (false, err);
    }
    let g = got.to_f32();
    let allowed = budget * ulp_of_in::<T>(exact) + f64::from(up).abs() * F32_TINY;
    (
        g.is_finite() && (f64::from(g) - exact).abs() <= allowed,
        err,
    )
}

thread_local! {
    /// Set while [`catch_panic`] runs its closure on this thread.
    static CATCHING: Cell<bool> = const { Cell::new(false) };
}

/// Whether this build unwinds on panic (so [`catch_panic`] can return); `false` under
/// `-Cpanic=abort`.
pub const CAN_UNWIND: bool = cfg!(panic = "unwind");

/// Runs `f`, returning its panic message as `Err` instead of aborting.
///
/// libFuzzer's Rust harness installs a panic hook that aborts the process (so that any panic
/// is a crash), and the hook runs before unwinding starts: `catch_unwind` alone never gets to
/// return. This installs, once, a hook in front of it that stays silent (and lets the panic
/// unwind to the `catch_unwind` here) while this thread is inside `catch_panic`, and hands
/// every other panic, on any thread, to the previous hook, which aborts as usual. Requires a
/// build that unwinds ([`CAN_UNWIND`]).
pub fn catch_panic<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !CATCHING.with(Cell::get) {
                previous(info);
            }
        }));
    });
    CATCHING.with(|c| c.set(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    CATCHING.with(|c| c.set(false));
    result.map_err(|payload| {
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "<non-string panic payload>".to_string())
    })
}
